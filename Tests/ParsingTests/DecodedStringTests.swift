import Parsing
import Testing

@Suite struct DecodedStringTests {
    func decode(_ literal: String) -> DecodedString? {
        let bytes = Array(literal.utf8)
        return DecodedString.decode(literal: 0..<bytes.count, in: bytes)
    }

    func text(_ literal: String) -> String? { decode(literal).map { String(decoding: $0.bytes, as: UTF8.self) } }

    @Test func escapesDecodeAsPythonDoes() {
        #expect(text(#""a\nb\tc\\d\'e\"f""#) == "a\nb\tc\\d'e\"f")
        #expect(text(#""\x41\101\u00e9""#) == "AAé")
        #expect(text("\"line\\\ncontinued\"") == "linecontinued")
        #expect(text(#""unknown \q stays""#) == "unknown \\q stays")
    }

    @Test func rawAndTripleQuotedStringsKeepBackslashes() {
        #expect(text(#"r"a\nb""#) == #"a\nb"#)
        #expect(text("R'''x\\'y'''") == "x\\'y")
        #expect(text("\"\"\"\nmulti\nline\n\"\"\"") == "\nmulti\nline\n")
    }

    @Test func fStringsWithoutInterpolationDecodeAndOthersAreRefused() {
        #expect(text(#"f"a{{b}}c""#) == "a{b}c")
        #expect(text(#"f"a{b}c""#) == nil)
        #expect(text(#"b"bytes""#) == nil)
    }

    @Test func everyByteMapsBackToItsSource() throws {
        let literal = #""ab\ncd""#
        let decoded = try #require(decode(literal))
        #expect(decoded.bytes.count == 5)
        #expect(decoded.sourceStart == [1, 2, 3, 5, 6])
        #expect(decoded.sourceEnd == [2, 3, 5, 6, 7])
        #expect(decoded.sourceRange(of: 2..<4) == 3..<6)
        let multibyte = try #require(decode("\"é\""))
        #expect(multibyte.sourceStart == [1, 2])
    }
}
