/// The value of one or more Python string literals, with where each byte came from in the source file.
///
/// `sourceStart[i]..<sourceEnd[i]` is the source text that produced byte `i` of `bytes` (one byte for plain
/// text, the whole sequence for an escape like `\n`), so ranges inside the value map back to the file exactly.
public struct DecodedString: Sendable, Equatable {
    public var bytes: [UInt8] = []
    public var sourceStart: [Int] = []
    public var sourceEnd: [Int] = []

    public init() {}

    mutating func append(_ byte: UInt8, from range: Range<Int>) {
        bytes.append(byte)
        sourceStart.append(range.lowerBound)
        sourceEnd.append(range.upperBound)
    }

    mutating func append(contentsOf other: DecodedString) {
        bytes += other.bytes
        sourceStart += other.sourceStart
        sourceEnd += other.sourceEnd
    }

    /// The source byte range a decoded byte range came from.
    public func sourceRange(of range: Range<Int>) -> Range<Int> {
        guard !bytes.isEmpty else { return 0..<0 }
        let lo = max(0, min(range.lowerBound, bytes.count - 1))
        let hi = max(lo, min(range.upperBound, bytes.count) - 1)
        return sourceStart[lo]..<max(sourceStart[lo], sourceEnd[hi])
    }

    /// Decodes the literal that spans `literal` in `source` (prefix, quotes and all), or nil for byte strings
    /// and f-strings with interpolations, whose value is not known before run time.
    public static func decode(literal: Range<Int>, in source: [UInt8]) -> DecodedString? {
        var i = literal.lowerBound
        var prefix = ""
        while i < literal.upperBound, source[i] != UInt8(ascii: "'"), source[i] != UInt8(ascii: "\"") {
            prefix.append(Character(UnicodeScalar(source[i])))
            i += 1
        }
        prefix = prefix.lowercased()
        guard i < literal.upperBound, !prefix.contains("b" as Character) else { return nil }
        let quote = source[i]
        let triple = i + 2 < literal.upperBound && source[i + 1] == quote && source[i + 2] == quote
        let quoteLength = triple ? 3 : 1
        let contentStart = i + quoteLength
        let contentEnd = literal.upperBound - quoteLength
        guard contentStart <= contentEnd else { return nil }
        let raw = prefix.contains("r" as Character), formatted = prefix.contains("f" as Character)

        var out = DecodedString()
        var p = contentStart
        while p < contentEnd {
            let c = source[p]
            if formatted && (c == UInt8(ascii: "{") || c == UInt8(ascii: "}")) {
                // `{{` and `}}` are literal braces; a single brace opens an interpolation.
                guard p + 1 < contentEnd, source[p + 1] == c else { return nil }
                out.append(c, from: p..<p + 2)
                p += 2
                continue
            }
            if c != UInt8(ascii: "\\") || p + 1 >= contentEnd {
                out.append(c, from: p..<p + 1)
                p += 1
                continue
            }
            if raw {
                // A raw string keeps the backslash and the character it protects.
                out.append(c, from: p..<p + 1)
                out.append(source[p + 1], from: p + 1..<p + 2)
                p += 2
                continue
            }
            let e = source[p + 1]
            let simple: [UInt8: UInt8] = [
                UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "'"): 0x27, UInt8(ascii: "\""): 0x22, UInt8(ascii: "a"): 0x07,
                UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D,
                UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B,
            ]
            if e == 0x0A { // backslash-newline: a line continuation, contributes nothing
                p += 2
            } else if let value = simple[e] {
                out.append(value, from: p..<p + 2)
                p += 2
            } else if (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(e) {
                var q = p + 1, value = 0
                while q < contentEnd, q < p + 4, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(source[q]) {
                    value = value * 8 + Int(source[q] - UInt8(ascii: "0"))
                    q += 1
                }
                appendScalar(value, to: &out, from: p..<q)
                p = q
            } else if let digits = [UInt8(ascii: "x"): 2, UInt8(ascii: "u"): 4, UInt8(ascii: "U"): 8][e],
                      p + 2 + digits <= contentEnd,
                      let value = Int(String(decoding: source[(p + 2)..<(p + 2 + digits)], as: UTF8.self), radix: 16) {
                appendScalar(value, to: &out, from: p..<(p + 2 + digits))
                p += 2 + digits
            } else {
                // Unknown escapes (and `\N{...}`) stay as written, as Python keeps unknown ones.
                out.append(c, from: p..<p + 1)
                p += 1
            }
        }
        return out
    }

    private static func appendScalar(_ value: Int, to out: inout DecodedString, from range: Range<Int>) {
        guard let scalar = UnicodeScalar(UInt32(value)) else { return }
        for byte in String(Character(scalar)).utf8 { out.append(byte, from: range) }
    }
}
