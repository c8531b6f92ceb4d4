/// Byte-level helpers for reading log lines. A log is read as bytes, and everything the parser recognizes in
/// a line (labels, numbers, units, `nan`) is ASCII, so lines are never decoded to `String` unless a value
/// has to be quoted in a warning.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20

    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }
    /// Words of a line are separated by spaces and tabs.
    static func isWordSeparator(_ byte: UInt8) -> Bool { byte == space || byte == tab }
    static func lowercased(_ byte: UInt8) -> UInt8 { byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte }

    /// Whether `bytes[range]` is `literal`. With `ignoringCase`, ASCII letters match in either case
    /// (`literal` is then written in lower case).
    static func matches(_ bytes: [UInt8], _ range: Range<Int>, _ literal: StaticString, ignoringCase: Bool = false) -> Bool {
        range.count == literal.utf8CodeUnitCount && hasPrefix(bytes, range, literal, ignoringCase: ignoringCase)
    }

    /// Whether `bytes[range]` begins with `literal`; see `matches`.
    static func hasPrefix(_ bytes: [UInt8], _ range: Range<Int>, _ literal: StaticString, ignoringCase: Bool = false) -> Bool {
        literal.withUTF8Buffer { expected in
            guard range.count >= expected.count else { return false }
            var index = range.lowerBound
            for byte in expected {
                let actual = ignoringCase ? lowercased(bytes[index]) : bytes[index]
                if actual != byte { return false }
                index += 1
            }
            return true
        }
    }

    /// `bytes[range]` as text, for messages; invalid UTF-8 becomes U+FFFD.
    static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}
