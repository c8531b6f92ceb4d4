import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Fields read on copies made with some fields changed (`_replace`, `dataclasses.replace`, `attrs.evolve`, pydantic's
/// `model_copy(update=...)`): the changed value, else the copied object's field, in the value resolver and the
/// script interpreter alike.
@Suite("Field copies")
struct FieldCopyTests {
    static let script = """
    from typing import NamedTuple
    import dataclasses
    import attrs
    class HP(NamedTuple):
        lr: float = 0.02
        betas: tuple = (0.9, 0.95)
    class Cfg(NamedTuple):
        embed: HP = HP(lr=0.3)
        head: HP = HP(lr=0.002)
    cfg = Cfg()
    def beta_at(step):
        return 0.85 + 0.1 * min(step / 300, 1.0)
    def update(step):
        hp = cfg.embed._replace(betas=(0.8, 0.95))
        kept_rate = hp.lr * 2
        changed_beta = hp.betas[0]
        stepped = cfg.head._replace(betas=(beta_at(step), 0.95))
        stepped_beta = stepped.betas[0]
        return kept_rate, changed_beta, stepped_beta
    def direct(step):
        hp2 = dataclasses.replace(cfg.head, lr=0.5)
        changed_rate = hp2.lr * 2
        kept_beta = hp2.betas[1]
        again = hp2._replace(betas=(0.7, 0.99))
        twice_rate = again.lr
        evolved = attrs.evolve(cfg.head, lr=0.25)
        evolved_rate = evolved.lr
        spread = dataclasses.replace(cfg.head, **overrides)
        unknown_rate = spread.lr
        return changed_rate
    """

    static func facts() throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "copies.py", language: .python, bytes: Array(script.utf8)))
    }

    static func right(_ name: String, _ facts: PythonFacts) throws -> Node {
        let assignment = try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name })
        return try #require(assignment.child(byField: "right"))
    }

    @Test("a field the copy leaves is the copied object's, a field it changes is the new value", arguments: [
        ("kept_rate", 0.6), ("changed_rate", 1.0), ("twice_rate", 0.5), ("evolved_rate", 0.25),
    ])
    func resolvedRates(_ name: String, _ expected: Double) throws {
        let facts = try Self.facts()
        let node = try Self.right(name, facts)
        #expect(facts.resolver.values(of: node).map(\.double) == [expected])
        #expect(ScriptInterpreter(facts).value(of: node, env: [:])?.number == expected)
    }

    @Test("tuple fields are read by the interpreter, a changed one with the names bound where the copy is made", arguments: [
        ("changed_beta", 0.8), ("kept_beta", 0.95),
    ])
    func interpretedTuples(_ name: String, _ expected: Double) throws {
        let facts = try Self.facts()
        #expect(ScriptInterpreter(facts).value(of: try Self.right(name, facts), env: [:])?.number == expected)
    }

    @Test("a changed field computed from the step follows the step")
    func steppedField() throws {
        let facts = try Self.facts()
        let node = try Self.right("stepped_beta", facts)
        let interpreter = ScriptInterpreter(facts)
        #expect(interpreter.value(of: node, env: ["step": .number(0)])?.number == 0.85)
        let late = try #require(interpreter.value(of: node, env: ["step": .number(600)])?.number)
        #expect(abs(late - 0.95) < 1e-12)
    }

    @Test("a copy spreading unknown changes is no copy the readers follow")
    func spreadCopy() throws {
        let facts = try Self.facts()
        let read = try Self.right("unknown_rate", facts)
        #expect(read.type == "attribute")
        #expect(facts.copiedField(read) == nil)
        let copied = try #require(facts.copiedField(try Self.right("evolved_rate", facts)))
        #expect(copied.map(\.text) == ["0.25"])
    }
}
