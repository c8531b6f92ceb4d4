/// A loss value as a log printed it: a number, or `nan` / `inf` / `-inf` when training diverged.
///
/// Encoded in JSON as a number when finite and as the string `"nan"`, `"inf"` or `"-inf"` otherwise, so a
/// report never turns a diverged run into a number.
public struct Loss: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: Double

    public init(_ value: Double) { self.value = value }

    public var isFinite: Bool { value.isFinite }
    public var isNaN: Bool { value.isNaN }

    /// Two NaN losses are equal: a report compares what was logged, not IEEE arithmetic.
    public static func == (lhs: Loss, rhs: Loss) -> Bool {
        lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN)
    }

    public func hash(into hasher: inout Hasher) {
        if value.isNaN { hasher.combine(true) } else { hasher.combine(false); hasher.combine(value) }
    }

    /// Reads a loss as Python formats floats: decimal digits with an optional exponent, or `nan`, `inf`,
    /// `-inf` (any case, `infinity` too). Anything else (hexadecimal, empty, trailing text) is not a loss.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        self.init(parsing: bytes, 0..<bytes.count)
    }

    /// `init(parsing:)` on the bytes `bytes[range]` of a log line.
    init?(parsing bytes: [UInt8], _ range: Range<Int>) {
        if let special = Loss.nonFinite(bytes, range) {
            self.init(special)
        } else {
            guard let number = ASCIINumber.decimal(bytes, range) else { return nil }
            self.init(number)
        }
    }

    /// `nan`, `inf` and `infinity`, in any case, with or without a sign.
    private static func nonFinite(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        guard let first = range.first, !ASCII.isDigit(bytes[first]) else { return nil }
        var word = range
        var negative = false
        if bytes[first] == UInt8(ascii: "+") || bytes[first] == UInt8(ascii: "-") {
            negative = bytes[first] == UInt8(ascii: "-")
            word = (first + 1)..<range.upperBound
        }
        if ASCII.matches(bytes, word, "nan", ignoringCase: true) { return .nan }
        if ASCII.matches(bytes, word, "inf", ignoringCase: true) || ASCII.matches(bytes, word, "infinity", ignoringCase: true) {
            return negative ? -.infinity : .infinity
        }
        return nil
    }

    public var description: String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return "\(value)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self.init(number)
        } else {
            let text = try container.decode(String.self)
            guard let loss = Loss(parsing: text), !loss.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a loss: \(text)")
            }
            self = loss
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if isFinite { try container.encode(value) } else { try container.encode(description) }
    }
}
