import Catalogue
import SourceModel
import Testing
import TestSupport
import TreeSitterKit

/// JSON documents parsed at run time read as the dictionaries and lists they hold, at their own offsets.
@Suite("JSON documents")
struct JSONDocumentTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "run.py", language: .python, bytes: Array(source.utf8)))
    }

    /// The value of `key` in a dictionary node.
    static func entry(_ key: String, in dictionary: Node) -> Node? {
        dictionary.namedChildren.first { $0.type == "pair" && $0.child(byField: "key")?.text == "\"\(key)\"" }?.child(byField: "value")
    }

    @Test("a document on the lines after its loader and one inline both read as values at their own offsets")
    func documents() throws {
        let source = #"""
        import json
        CONFIG = json.loads("""
        {
            "optimizer": [
                {"type": "AdamW", "params": {"lr": 0.0036, "fused": true}},
                {"type": "Muon", "params": {"lr": 0.00036}}
            ],
            "scheduler": null
        }
        """)
        INLINE = json.loads('[1, 2.5, "x"]')
        BROKEN = json.loads("""{"lr": 0.1,,}""")
        NOT_JSON = json.loads("lr = 0.1")
        """#
        let facts = try Self.facts(source)
        let loads = facts.calls.filter { $0.callee == "json.loads" }.map(\.node)
        #expect(loads.count == 4)
        let config = try #require(facts.jsonDocument(loads[0]))
        #expect(config.type == "dictionary")
        // The shadow node stands where the document's text stands in the script.
        let written = try #require(source.range(of: "{\n    \"optimizer\""))
        #expect(config.startByte == source.utf8.distance(from: source.startIndex, to: written.lowerBound))
        let optimizers = try #require(Self.entry("optimizer", in: config))
        #expect(optimizers.type == "list")
        let entries = optimizers.namedChildren
        #expect(entries.count == 2)
        let muonParams = try #require(Self.entry("params", in: entries[1]))
        let lr = try #require(Self.entry("lr", in: muonParams))
        #expect(facts.values(of: lr).map(\.double) == [0.00036])
        // `true` and `null` read as Python's constants.
        let adamParams = try #require(Self.entry("params", in: entries[0]))
        let fused = try #require(Self.entry("fused", in: adamParams))
        #expect(facts.truth(of: fused) == true)
        #expect(Self.entry("scheduler", in: config)?.type == "none")
        #expect(facts.jsonDocument(loads[1])?.type == "list")
        #expect(facts.jsonDocument(loads[2]) == nil)
        #expect(facts.jsonDocument(loads[3]) == nil)
        // `dictionaries` reads a name set to a parsed document.
        let name = try #require(facts.nodes(ofType: "identifier").first { $0.text == "CONFIG" })
        #expect(facts.dictionaries(name).map(\.startByte) == [config.startByte])
    }
}
