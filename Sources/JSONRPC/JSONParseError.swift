/// Why ``JSONParser`` rejected a text, and at which byte offset.
public struct JSONParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The text ended inside a value (or was empty).
        case unexpectedEnd
        /// A byte that cannot start or continue a value here.
        case unexpectedByte(UInt8)
        /// Arrays and objects nest deeper than ``JSONParser/maximumDepth``.
        case tooDeep(limit: Int)
        /// A number that does not follow the JSON grammar or does not fit a finite `Double`.
        case invalidNumber
        /// A bad escape sequence, or a raw control character inside a string.
        case invalidString
        /// The text is not UTF-8.
        case invalidUTF8
        /// Something other than whitespace follows the value.
        case trailingData
    }

    public var reason: Reason
    /// Offset of the offending byte from the start of the text.
    public var offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        let what = switch reason {
        case .unexpectedEnd: "unexpected end of JSON text"
        case .unexpectedByte(let byte): "unexpected byte 0x\(String(byte, radix: 16))"
        case .tooDeep(let limit): "arrays and objects nest deeper than \(limit) levels"
        case .invalidNumber: "invalid number"
        case .invalidString: "invalid string"
        case .invalidUTF8: "text is not UTF-8"
        case .trailingData: "data after the JSON value"
        }
        return "\(what) at offset \(offset)"
    }
}
