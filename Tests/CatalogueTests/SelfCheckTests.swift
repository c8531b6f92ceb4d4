import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Self-checks: functions that test the script's pieces on toy inputs. They are told apart from the code that trains,
/// and what they build gives way to what the run builds.
@Suite("Self-checks")
struct SelfCheckTests {
    static let script = """
    import torch
    from dataclasses import dataclass

    @dataclass
    class Config:
        vocab: int = 1000
        width: int = 64

    def check_shapes():
        cfg = Config(vocab=40, width=32)
        assert cfg.vocab == 40

    def check_and_report():
        assert torch.ones(2).sum() == 2
        return "ok"

    def scale(x, factor=1.0):
        return x * factor

    def check_scale():
        assert scale(2.0, factor=3.0) == 6.0

    def train(model, opt):
        model(torch.zeros(4)).sum().backward()
        opt.step()

    def main():
        check_shapes()
        check_scale()
        cfg = Config(vocab=50304, width=768)
        assert cfg.vocab % 128 == 0
        y = scale(cfg.width, factor=0.5)
        model = torch.nn.Linear(cfg.width, cfg.vocab)
        train(model, torch.optim.SGD(model.parameters(), lr=0.1))
    """

    static func facts() throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "checks.py", language: .python, bytes: Array(script.utf8)))
    }

    static func names(_ facts: PythonFacts) -> Set<String> {
        Set(facts.functions.filter { facts.selfChecks.contains($0.node) }.map(\.name))
    }

    @Test("functions that assert, return nothing and reach no training step are self-checks; the entry point is not")
    func recognized() throws {
        let facts = try Self.facts()
        // `check_and_report` returns a value; `main` asserts too but reaches `backward` and `step` through `train`.
        #expect(Self.names(facts) == ["check_shapes", "check_scale"])
    }

    @Test("a config keyword set in a self-check gives way to the run's, and to the field's default")
    func settingsOutsideChecks() throws {
        let facts = try Self.facts()
        #expect(facts.allSettings.settings("vocab").map { "\($0.source):\($0.value.text)" } == ["override:50304", "classField:1000"])
        // A name set only inside a self-check keeps its setting: nothing else says what it is.
        let onlyInCheck = """
        from dataclasses import dataclass
        @dataclass
        class Config:
            vocab: int = 1000
        def check():
            cfg = Config(vocab=40, depth=3)
            assert cfg.vocab == 40
        """
        let alone = try PythonFacts(file: SourceFile(path: "alone.py", language: .python, bytes: Array(onlyInCheck.utf8)))
        #expect(alone.allSettings.settings("vocab").map { "\($0.source):\($0.value.text)" } == ["classField:1000"])
        #expect(alone.allSettings.settings("depth").map { "\($0.source):\($0.value.text)" } == ["override:3"])
    }

    @Test("a parameter resolves to what the callers outside self-checks pass")
    func callersOutsideChecks() throws {
        let facts = try Self.facts()
        let factor = try #require(facts.nodes.first { node in
            node.type == "identifier" && node.text == "factor" && node.parent?.type == "binary_operator"
        })
        #expect(facts.callerArguments(of: factor).map(\.text) == ["0.5"])
    }
}
