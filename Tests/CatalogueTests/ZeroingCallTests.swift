import Catalogue
import SourceModel
import Testing

/// Tensors handed to zeroing functions of the file (`PythonFacts.zeroedTensor`, through `zeroingCallTarget`).
@Suite("Zeroing calls")
struct ZeroingCallTests {
    @Test("a function, a lambda or a table entry selected by a resolved key zeroes what it is handed; another entry does not")
    func zeroingFunctionsOfTheFile() throws {
        let facts = try PythonFacts(file: SourceFile(path: "zeroing.py", language: .python, bytes: Array("""
        import torch.nn as nn
        def blank(t):
            t.data.zero_()
        def draw(t):
            nn.init.normal_(t, std=0.02)
        clear = lambda t: t.zero_()
        INIT = {"zero": lambda w: w.data.zero_(), "normal": draw}
        CFG = {"head": {"init": "zero"}, "mlp": {"init": "normal"}}
        def loops(t):
            return loops(t)
        a = nn.Linear(4, 4)
        blank(a.weight)
        draw(a.weight)
        clear(a.weight)
        INIT[CFG["head"]["init"]](a.weight)
        INIT[CFG["mlp"]["init"]](a.weight)
        INIT[unknown_key](a.weight)
        loops(a.weight)
        """.utf8)))
        let zeroed = facts.calls.filter { $0.node.parent?.type == "expression_statement" && facts.enclosingFunction($0.node) == nil }
            .map { facts.zeroedTensor($0)?.text ?? "-" }
        #expect(zeroed == ["a.weight", "-", "a.weight", "a.weight", "-", "-", "-"])
    }
}
