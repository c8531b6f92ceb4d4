/// Reads JSON text (RFC 8259) into a ``JSONValue`` without recursion.
///
/// Foundation's `JSONSerialization` and `JSONDecoder` descend one stack frame per nesting level, so a body of
/// 100,000 `[` could exhaust a thread's stack. This parser keeps open arrays and objects on an explicit stack and
/// refuses the text as soon as that stack would exceed ``maximumDepth``: nothing deeper is ever built, and the
/// cost of refusing is proportional to the bytes read so far.
///
/// Rules beyond the grammar: numbers without fraction or exponent that fit `Int` are ``JSONValue/int(_:)``, others
/// ``JSONValue/double(_:)`` (a number beyond `Double`'s range is an error); a duplicate object key keeps the last
/// value; lone UTF-16 surrogates in `\u` escapes become U+FFFD; any invalid UTF-8 is an error.
public struct JSONParser: Sendable, Hashable {
    /// The deepest nesting of arrays and objects accepted; `[]` has depth 1.
    public var maximumDepth: Int

    public static let defaultMaximumDepth = 512

    public init(maximumDepth: Int = JSONParser.defaultMaximumDepth) {
        self.maximumDepth = max(1, maximumDepth)
    }

    /// Parses `bytes`, which must hold exactly one JSON value (surrounded by optional whitespace).
    public func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var reader = Reader(bytes: bytes, maximumDepth: maximumDepth)
        return try reader.parseDocument()
    }

    /// Parses the bytes of any contiguous collection (`[UInt8]`, `String.UTF8View` of a native string…).
    public func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { raw in Result { () throws(JSONParseError) in try parse(raw) } }.get()
    }
}

/// One pass over the text. Open containers live in `stack`; a finished value is handed to the innermost one.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let maximumDepth: Int
    var index = 0

    /// An array or object still being read. The innermost one is extended in place (`stack[last].…append`), so
    /// its storage is never copied while members are added.
    struct Open {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members: [String: JSONValue] = [:]
        var pendingKey = ""
    }

    var stack: [Open] = []

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        valueLoop: while true {
            skipWhitespace()
            var value: JSONValue
            guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
            switch bytes[index] {
            case UInt8(ascii: "["):
                try checkDepth()
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    stack.append(Open(isObject: false))
                    continue valueLoop
                }
            case UInt8(ascii: "{"):
                try checkDepth()
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    value = .object([:])
                } else {
                    let key = try readKey()
                    stack.append(Open(isObject: true, pendingKey: key))
                    continue valueLoop
                }
            case UInt8(ascii: "\""):
                value = .string(try readString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try readNumber()
            case let byte:
                throw JSONParseError(.unexpectedByte(byte), at: index)
            }

            // Hand the finished value to the containers above it, closing those that end here.
            while true {
                guard !stack.isEmpty else {
                    skipWhitespace()
                    guard index == bytes.count else { throw JSONParseError(.trailingData, at: index) }
                    return value
                }
                let top = stack.count - 1
                if stack[top].isObject {
                    stack[top].members[stack[top].pendingKey] = value
                } else {
                    stack[top].elements.append(value)
                }
                skipWhitespace()
                guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
                let separator = bytes[index]
                index += 1
                if separator == UInt8(ascii: ",") {
                    if stack[top].isObject {
                        skipWhitespace()
                        stack[top].pendingKey = try readKey()
                    }
                    continue valueLoop
                }
                let closer = stack[top].isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard separator == closer else { throw JSONParseError(.unexpectedByte(separator), at: index - 1) }
                let finished = stack.removeLast()
                value = finished.isObject ? .object(finished.members) : .array(finished.elements)
            }
        }
    }

    mutating func checkDepth() throws(JSONParseError) {
        if stack.count >= maximumDepth { throw JSONParseError(.tooDeep(limit: maximumDepth), at: index) }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        for offset in 0..<count {
            guard index + offset < bytes.count else { throw JSONParseError(.unexpectedEnd, at: bytes.count) }
            let byte = bytes[index + offset]
            guard byte == literal.utf8Start[offset] else { throw JSONParseError(.unexpectedByte(byte), at: index + offset) }
        }
        index += count
    }

    /// An object key followed by its colon.
    mutating func readKey() throws(JSONParseError) -> String {
        guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
        guard bytes[index] == UInt8(ascii: "\"") else { throw JSONParseError(.unexpectedByte(bytes[index]), at: index) }
        let key = try readString()
        skipWhitespace()
        guard index < bytes.count else { throw JSONParseError(.unexpectedEnd, at: index) }
        guard bytes[index] == UInt8(ascii: ":") else { throw JSONParseError(.unexpectedByte(bytes[index]), at: index) }
        index += 1
        return key
    }

    /// A string starting at the opening quote.
    mutating func readString() throws(JSONParseError) -> String {
        let start = index + 1
        var cursor = start
        var sawNonASCII = false
        // Fast path: no escapes, the string is a slice of the input.
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") {
                index = cursor + 1
                return try makeString(UnsafeRawBufferPointer(rebasing: bytes[start..<cursor]), checkUTF8: sawNonASCII,
                                      offset: start)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw JSONParseError(.invalidString, at: cursor) }
            if byte >= 0x80 { sawNonASCII = true }
            cursor += 1
        }
        guard cursor < bytes.count else { throw JSONParseError(.unexpectedEnd, at: bytes.count) }

        // Slow path: copy, decoding escapes.
        var scratch: [UInt8] = Array(bytes[start..<cursor])
        while cursor < bytes.count {
            let byte = bytes[cursor]
            switch byte {
            case UInt8(ascii: "\""):
                index = cursor + 1
                return try scratch.withUnsafeBytes { raw in
                    Result { () throws(JSONParseError) in try makeString(raw, checkUTF8: sawNonASCII, offset: start) }
                }.get()
            case UInt8(ascii: "\\"):
                cursor += 1
                guard cursor < bytes.count else { throw JSONParseError(.unexpectedEnd, at: cursor) }
                let escape = bytes[cursor]
                cursor += 1
                switch escape {
                case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try readUnicodeEscape(&cursor)
                    scratch.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    throw JSONParseError(.invalidString, at: cursor - 1)
                }
            default:
                if byte < 0x20 { throw JSONParseError(.invalidString, at: cursor) }
                if byte >= 0x80 { sawNonASCII = true }
                scratch.append(byte)
                cursor += 1
            }
        }
        throw JSONParseError(.unexpectedEnd, at: bytes.count)
    }

    /// The scalar of a `\uXXXX` escape (cursor just past the `u`), joining a surrogate pair when one follows.
    func readUnicodeEscape(_ cursor: inout Int) throws(JSONParseError) -> Unicode.Scalar {
        let first = try readHex4(&cursor)
        if (0xD800...0xDBFF).contains(first) {
            // A high surrogate: take the low one if it follows, else replace the lone half.
            if cursor + 6 <= bytes.count, bytes[cursor] == UInt8(ascii: "\\"), bytes[cursor + 1] == UInt8(ascii: "u") {
                var lookahead = cursor + 2
                let second = try readHex4(&lookahead)
                if (0xDC00...0xDFFF).contains(second) {
                    cursor = lookahead
                    let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    return Unicode.Scalar(value) ?? "\u{FFFD}"
                }
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    func readHex4(_ cursor: inout Int) throws(JSONParseError) -> UInt32 {
        guard cursor + 4 <= bytes.count else { throw JSONParseError(.unexpectedEnd, at: bytes.count) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[cursor]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError(.invalidString, at: cursor)
            }
            value = value << 4 | UInt32(digit)
            cursor += 1
        }
        return value
    }

    func makeString(_ raw: UnsafeRawBufferPointer, checkUTF8: Bool, offset: Int) throws(JSONParseError) -> String {
        if checkUTF8, !Self.isValidUTF8(raw) { throw JSONParseError(.invalidUTF8, at: offset) }
        return String(decoding: raw, as: UTF8.self)
    }

    static func isValidUTF8(_ raw: UnsafeRawBufferPointer) -> Bool {
        var iterator = raw.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// A number per the JSON grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var cursor = index
        if bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
        guard cursor < bytes.count else { throw JSONParseError(.unexpectedEnd, at: cursor) }
        if bytes[cursor] == UInt8(ascii: "0") {
            cursor += 1
        } else if isDigit(bytes[cursor]) {
            while cursor < bytes.count, isDigit(bytes[cursor]) { cursor += 1 }
        } else {
            throw JSONParseError(.invalidNumber, at: cursor)
        }
        var isInteger = true
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") {
            isInteger = false
            cursor += 1
            guard cursor < bytes.count, isDigit(bytes[cursor]) else { throw JSONParseError(.invalidNumber, at: cursor) }
            while cursor < bytes.count, isDigit(bytes[cursor]) { cursor += 1 }
        }
        if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "e") || bytes[cursor] == UInt8(ascii: "E") {
            isInteger = false
            cursor += 1
            if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "+") || bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
            guard cursor < bytes.count, isDigit(bytes[cursor]) else { throw JSONParseError(.invalidNumber, at: cursor) }
            while cursor < bytes.count, isDigit(bytes[cursor]) { cursor += 1 }
        }
        index = cursor
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<cursor]), as: UTF8.self)
        if isInteger, let value = Int(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw JSONParseError(.invalidNumber, at: start) }
        return .double(value)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
