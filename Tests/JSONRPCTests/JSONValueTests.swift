import Foundation
import JSONRPC
import Testing

@Suite("JSON values")
struct JSONValueTests {
    @Test("integers and doubles stay apart")
    func intVersusDouble() throws {
        #expect(json("1") == .int(1))
        #expect(json("1.0") == .double(1.0))
        #expect(json("-0") == .int(0))
        #expect(json("1e2") == .double(100))
        #expect(json("9223372036854775807") == .int(Int.max))
        #expect(json("9223372036854775808") == .double(9223372036854775808))
        #expect(json("1") != json("1.0"))
        #expect(JSONWriter.bytes(of: .double(1)) == Array("1.0".utf8))
        #expect(JSONWriter.bytes(of: .int(1)) == Array("1".utf8))
    }

    @Test("round trip through writer and parser")
    func roundTrip() throws {
        let value: JSONValue = [
            "int": 42, "double": 0.1, "neg": -7, "big": 1e300, "flag": true, "nothing": nil,
            "text": "line\nbreak \"quoted\" back\\slash tab\t nul\u{0} é 🎯",
            "list": [1, [2, [3, []]], [:], "x"],
        ]
        let bytes = JSONWriter.bytes(of: value)
        #expect(try JSONParser().parse(bytes) == value)
        // Keys are sorted, so the text is deterministic.
        #expect(String(decoding: JSONWriter.bytes(of: ["b": 1, "a": 2]), as: UTF8.self) == #"{"a":2,"b":1}"#)
    }

    @Test("escapes, surrogate pairs and lone surrogates")
    func escapes() {
        #expect(json(#""\u00e9\u0041\/\b\f\n\r\t""#) == .string("éA/\u{8}\u{C}\n\r\t"))
        #expect(json(#""\ud83c\udfaf""#) == .string("🎯"))
        #expect(json(#""\ud83c x""#) == .string("\u{FFFD} x"))
        #expect(json(#""\udfaf""#) == .string("\u{FFFD}"))
    }

    @Test("rejects malformed text", arguments: [
        "", " ", "[", "]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "1.", ".5", "-", "1e",
        "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"a\u{1}b\"", "[1]x", "{}{}", "NaN", "Infinity", "1e999",
        "{1:2}", "'a'",
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser().parse(Array(text.utf8)) }
    }

    @Test("rejects invalid UTF-8")
    func invalidUTF8() {
        let bytes: [UInt8] = [UInt8(ascii: "\"")] + [0xC3, 0x28] + [UInt8(ascii: "\"")]
        #expect(throws: JSONParseError(.invalidUTF8, at: 1)) { try JSONParser().parse(bytes) }
        let overlong: [UInt8] = [UInt8(ascii: "\""), 0xC0, 0xAF, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError.self) { try JSONParser().parse(overlong) }
    }

    @Test("nesting is limited without recursion, even 100,000 levels deep")
    func depthLimit() throws {
        let parser = JSONParser(maximumDepth: 512)
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(try parser.parse(Array(ok.utf8)) != .null)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError(.tooDeep(limit: 512), at: 512)) { try parser.parse(Array(deep.utf8)) }

        for opener in ["[", "{\"a\":", "[{\"k\":"] {
            let huge = Array(String(repeating: opener, count: 100_000).utf8)
            #expect(throws: JSONParseError.self) { try JSONParser().parse(huge) }
        }
        // Depth 1 allows exactly one container level.
        #expect(try JSONParser(maximumDepth: 1).parse(Array("[1,2]".utf8)) == [1, 2])
        #expect(throws: JSONParseError.self) { try JSONParser(maximumDepth: 1).parse(Array("[[]]".utf8)) }
    }

    @Test("writer handles deep values built in code without recursion")
    func deepWrite() throws {
        var value: JSONValue = 0
        for _ in 0..<20_000 { value = .array([value]) }
        let bytes = JSONWriter.bytes(of: value)
        #expect(bytes.count == 40_001)
        // Tear the value down one level at a time: a 20,000-level enum would otherwise be freed recursively.
        while case .array(let inner) = value, let first = inner.first { value = first }
    }

    @Test("non-finite doubles are written as null")
    func nonFinite() {
        #expect(JSONWriter.bytes(of: .double(.nan)) == Array("null".utf8))
        #expect(JSONWriter.bytes(of: .double(-.infinity)) == Array("null".utf8))
    }

    @Test("Codable conversions")
    func codable() throws {
        struct Position: Codable, Equatable {
            var line: Int
            var character: Int
        }
        let value = try JSONValue(encoding: Position(line: 3, character: 7))
        #expect(value == ["line": 3, "character": 7])
        #expect(try value.decode(as: Position.self) == Position(line: 3, character: 7))
        let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"a":[1,2.5,"x",null,true]}"#.utf8))
        #expect(decoded == ["a": [1, 2.5, "x", nil, true]])
        let original: JSONValue = ["k": [1, 2]]
        let encoded = try JSONEncoder().encode(original)
        #expect(try JSONParser().parse(Array(encoded)) == ["k": [1, 2]])
    }

    @Test("accessors")
    func accessors() {
        let value = json(#"{"a":[1,2.5,"s",true,null]}"#)
        #expect(value["a"]?[0]?.intValue == 1)
        #expect(value["a"]?[1]?.doubleValue == 2.5)
        #expect(value["a"]?[0]?.doubleValue == 1)
        #expect(value["a"]?[2]?.stringValue == "s")
        #expect(value["a"]?[3]?.boolValue == true)
        #expect(value["a"]?[4]?.isNull == true)
        #expect(value["a"]?[9] == nil)
        #expect(value["missing"] == nil)
        #expect(value.description == #"{"a":[1,2.5,"s",true,null]}"#)
    }
}
