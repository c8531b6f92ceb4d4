import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// A trainer that runs functions the script registers with it (minGPT's `add_callback(event, fn)` into a
/// `defaultdict(list)`, run as `for fn in self.callbacks.get(event, []): fn(self)`), counting its own steps in a field
/// (`self.iter_num += 1` in a `while True` loop that stops on a flag). Each reading these tests check is one a
/// detector needs to see a schedule set from such a callback.
@Suite("Trainer callbacks")
struct TrainerCallbackTests {
    static let script = """
    from collections import defaultdict
    class Trainer:
        def __init__(self, config):
            self.config = config
            self.callbacks = defaultdict(list)
            self.iter_num = 0
        def add_callback(self, event, fn):
            self.callbacks[event].append(fn)
        def fire(self, event):
            for fn in self.callbacks.get(event, []):
                fn(self)
        def run(self):
            while True:
                self.done = self.iter_num == 1200
                self.fire("on_batch_start")
                if self.done:
                    break
                self.iter_num += 1
    def set_lr(trainer):
        if trainer.iter_num < 100:
            return
    def log(trainer):
        print(trainer.iter_num)
    def unused(trainer):
        pass
    trainer = Trainer(None)
    trainer.add_callback("on_batch_start", set_lr)
    trainer.add_callback("on_batch_end", log)
    trainer.run()
    """

    static func facts() throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "trainer.py", language: .python, bytes: Array(script.utf8)))
    }

    @Test("a function taken from a registry of lists runs what the script appended to it, at any key")
    func registeredFunctions() throws {
        let facts = try Self.facts()
        let call = try #require(facts.calls.first { $0.node.text == "fn(self)" })
        #expect(facts.targets(of: call).map(\.name).sorted() == ["log", "set_lr"])
    }

    @Test("a field counted up in a `while True` loop is its step; the flag set from the comparison gives the count")
    func countedField() throws {
        let facts = try Self.facts()
        let loop = try #require(facts.nodes(ofType: "while_statement").first)
        #expect(facts.stepVariables(loop) == ["self.iter_num"])
        #expect(facts.iterationCount(loop) == 1200)
        // The loop runs the registered functions through `fire`, with the trainer itself.
        let runs = facts.dispatchedRuns(from: loop).filter { ["set_lr", "log"].contains($0.function.name) }
        #expect(runs.map(\.function.name).sorted() == ["log", "set_lr"])
        #expect(runs.allSatisfy { $0.arguments["trainer"]?.text == "self" })
    }

    @Test("a field the script counts up is no switch: a test of it depends on the run")
    func countedFieldUndecided() throws {
        let facts = try Self.facts()
        let test = try #require(facts.nodes(ofType: "comparison_operator").first { $0.text == "trainer.iter_num < 100" })
        #expect(facts.truth(of: test) == nil)
    }
}
