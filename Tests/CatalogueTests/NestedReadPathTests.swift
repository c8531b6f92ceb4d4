import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// A setting read through a nested path names the entry of its own table (`cfg.groups["head"].lr` is the `"head"`
/// table's `lr`), in the value resolver and the script interpreter alike, never the same key of a sibling table.
@Suite("Nested read paths")
struct NestedReadPathTests {
    static let script = """
    CONFIG = {"optimizer": {"groups": {"embed": {"lr": 0.3}, "head": {"lr": 0.002}}, "lr": 0.02}}
    def build(cls, data):
        return cls(**data)
    cfg = build(Config, CONFIG)
    head_rate = cfg.optimizer.groups["head"].lr
    embed_rate = cfg.optimizer.groups["embed"].lr
    base_rate = cfg.optimizer.lr
    keyed = CONFIG["optimizer"]["groups"]["head"]["lr"]
    """

    static func value(_ facts: PythonFacts, _ name: String) throws -> Node {
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return try #require(assignment.child(byField: "right"))
    }

    @Test("each table's own entry, by the resolver and by the interpreter",
          arguments: [("head_rate", 0.002), ("embed_rate", 0.3), ("base_rate", 0.02), ("keyed", 0.002)])
    func ownTable(name: String, expected: Double) throws {
        let facts = try ConfiguredProgramTests.facts(Self.script)
        let read = try Self.value(facts, name)
        #expect(facts.values(of: read).map(\.double) == [expected])
        #expect(ScriptInterpreter(facts).value(of: read)?.number == expected)
    }
}
