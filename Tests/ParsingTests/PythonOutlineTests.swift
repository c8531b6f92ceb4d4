import Parsing
import SourceModel
import Testing
import TestSupport
import TreeSitterGrammars
import TreeSitterKit

@Suite struct PythonOutlineTests {
    func outline(_ source: String) throws -> FileOutline {
        try SourceParser().parse(SourceFile(path: "t.py", language: .python, text: source)).outline
    }

    @Test func qualifiedNamesForClassesMethodsAndNestedFunctions() throws {
        let o = try outline("""
        class A:
            class B:
                def m(self): pass
            def n(self):
                def inner(): pass
        if True:
            def conditional(): pass
        """)
        #expect(o.classes.map(\.qualifiedName) == ["A", "A.B"])
        #expect(o.functions.map(\.qualifiedName) == ["A.B.m", "A.n", "A.n.inner", "conditional"])
        #expect(o.functions.map(\.kind) == [.method, .method, .function, .function])
    }

    @Test func tritonKernelsThroughEveryImportSpelling() throws {
        let o = try outline("""
        import triton as tr
        from triton import jit
        from triton import jit as compile_kernel
        import triton.language as tl

        @tr.jit
        def a(x): pass

        @jit
        def b(x): pass

        @tr.autotune(configs=[], key=["n"])
        @compile_kernel(do_not_specialize=["n"])
        def c(x, n): pass

        @torch.compile
        def not_triton(x): pass

        @jit_wrapper
        def also_not(x): pass
        """)
        #expect(o.kernels.map(\.name) == ["a", "b", "c"])
        #expect(o.kernels.allSatisfy { $0.kind == .tritonKernel })
        #expect(o.functions.first { $0.name == "c" }?.decorators == ["triton.autotune", "triton.jit"])
    }

    @Test func importTableResolvesAliases() throws {
        let source = """
        import torch.nn.functional as F
        from torch.utils.cpp_extension import load_inline as li
        from torch import nn
        import numpy
        x = F.relu
        y = li
        z = nn.Linear
        w = numpy.zeros
        v = local.attr
        """
        let tree = try Parser(language: .python).parse(source)
        let table = ImportTable(root: tree.rootNode)
        let rights = tree.rootNode.preorder.filter { $0.type == "assignment" }.compactMap { $0.child(byField: "right") }
        #expect(rights.map { table.qualifiedName(of: $0) } == [
            "torch.nn.functional.relu", "torch.utils.cpp_extension.load_inline", "torch.nn.Linear", "numpy.zeros",
            "local.attr",
        ])
    }

    @Test func syntaxErrorsHavePositions() throws {
        let o = try outline("def ok():\n    return 1\n\ndef broken(:\n    pass\n")
        let first = try #require(o.syntaxErrors.first)
        #expect(first.range.start.line == 3)
        #expect(first.message.hasPrefix("syntax error"))
    }

    @Test func nestingBeyondPythonsLimitIsAnError() throws {
        // Beyond CPython's 200 brackets, within the parser's limit: an outline with the syntax error.
        let depth = 300
        let o = try outline("x = " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + "\n")
        let first = try #require(o.syntaxErrors.first)
        #expect(first.message.contains("\(depth) levels"))
        #expect(first.message.contains("200"))
        let fine = try outline("x = " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + "\n")
        #expect(fine.syntaxErrors.isEmpty)
        // Beyond the parser's limit on nesting (`Parser.maximumDepth`): no tree, and so no outline, but an error.
        let deep = 10_000
        #expect(throws: TreeSitterError.self) {
            try outline("x = " + String(repeating: "(", count: deep) + "1" + String(repeating: ")", count: deep) + "\n")
        }
    }
}
