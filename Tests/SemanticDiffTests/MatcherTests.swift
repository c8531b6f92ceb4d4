import Foundation
import Parsing
import SemanticDiff
import SourceModel
import Testing
import TestSupport
import TreeSitterGrammars
import TreeSitterKit

func lowerPython(_ source: String) throws -> SyntaxTree {
    Lowering.lower(try Parser(language: .python).parse(source).rootNode, rules: .python)
}

/// Source nodes mapped to a destination node with another label (what the edit script will call updates).
func relabelled(_ m: GumTreeMatcher) -> [(String, String)] {
    (0..<m.source.count).compactMap { s in
        guard let d = m.mapping.destination(of: s), m.source.label[s] != m.destination.label[d] else { return nil }
        return (m.source.label[s], m.destination.label[d])
    }
}

@Suite struct LoweringTests {
    @Test func entitiesAndLabels() throws {
        let tree = try lowerPython("""
        import torch.nn.functional as F
        LR = 1e-3
        class Model:
            width: int = 768
            @torch.compile
            def forward(self, x):
                y = x ** 2  # not a hyperparameter: inside a function
                return F.relu(y)
        """)
        let entities = (0..<tree.count).compactMap { i in tree.entity[i].map { "\($0.kind.rawValue):\(tree.qualifiedName(i))" } }
        #expect(entities == ["module:", "import:torch.nn.functional as F",
                             "assignment:LR", "class:Model", "assignment:Model.width", "method:Model.forward",
                             "decorator:Model.forward.torch.compile"])
        #expect(tree.label.contains("0.001"), "numbers are compared by value")
        #expect(tree.label.contains("**"), "operators label their expression")
        #expect(!tree.kindNames.contains("comment"))
    }
}

@Suite struct MatcherTests {
    @Test func identicalFilesMapCompletely() throws {
        let text = try Fixtures.text("python/embedded_kernels.py")
        let a = try lowerPython(text), b = try lowerPython(text)
        let m = GumTreeMatcher.match(a, b)
        #expect(m.mapping.count == a.count)
        #expect(relabelled(m).isEmpty)
    }

    @Test func reformattingChangesNothing() throws {
        let a = try lowerPython("""
        def lr(step, total=100, warmup=10):
            if step < warmup:
                return step / warmup
            return (total - step) / (total - warmup)
        NAME = 'model'
        """)
        let b = try lowerPython("""
        # schedule
        def lr(step,
               total = 100,
               warmup = 10):

            if step < warmup:   # ramp up
                return step/warmup
            return (total-step) / (total-warmup)


        NAME = "model"
        """)
        let m = GumTreeMatcher.match(a, b)
        #expect(a.count == b.count)
        #expect(m.mapping.count == a.count)
        #expect(relabelled(m).isEmpty)
    }

    @Test func renamedLocalIsOnlyRelabelled() throws {
        let a = try lowerPython("def f(x):\n    total = x * 2\n    total = total + 1\n    return total\n")
        let b = try lowerPython("def f(x):\n    acc = x * 2\n    acc = acc + 1\n    return acc\n")
        let m = GumTreeMatcher.match(a, b)
        #expect(m.mapping.count == a.count)
        #expect(relabelled(m).allSatisfy { $0 == ("total", "acc") })
        #expect(relabelled(m).count == 4)
    }

    @Test func movedFunctionKeepsEveryNodeMapped() throws {
        let f = "def helper(a, b):\n    c = a @ b\n    return c.relu().square()\n"
        let g = "def main():\n    print(helper(1, 2))\n"
        let a = try lowerPython(f + g), b = try lowerPython(g + f)
        let m = GumTreeMatcher.match(a, b)
        #expect(m.mapping.count == a.count)
        let helper1 = try #require((0..<a.count).first { a.entity[$0]?.name == "helper" })
        let helper2 = try #require((0..<b.count).first { b.entity[$0]?.name == "helper" })
        #expect(m.mapping.destination(of: helper1) == helper2)
    }

    @Test func changedConstantIsARelabelInsideTheSameAssignment() throws {
        let a = try lowerPython("learning_rate = 0.0015\nbatch = 64\n")
        let b = try lowerPython("learning_rate = 0.0018\nbatch = 64\n")
        let m = GumTreeMatcher.match(a, b)
        #expect(m.mapping.count == a.count)
        #expect(relabelled(m).map { "\($0.0)->\($0.1)" } == ["0.0015->0.0018"])
    }

    @Test func repetitiveInputsFinishAndSayWhenMatchingWasCoarse() throws {
        // 5,000 lines of the same function: every subtree has 1,667 look-alikes on each side.
        let same = String(repeating: "def f(x):\n    y = x + 1\n    return y * 2\n", count: 1_667)
        let a = try lowerPython(same)
        let b = try lowerPython(same + "def g(x):\n    return x\n")
        let m = GumTreeMatcher.match(a, b)
        #expect(m.mapping.count == a.count)
        #expect(!m.notes.isEmpty, "the coarse pairing is reported")
        let list = "x = [" + (0..<20_000).map { "\($0 % 7)" }.joined(separator: ", ") + "]\n"
        let l1 = try lowerPython(list), l2 = try lowerPython(list.replacingOccurrences(of: "[0, 1", with: "[9, 1"))
        let lm = GumTreeMatcher.match(l1, l2)
        #expect(lm.mapping.count == l1.count)
        let l3 = try lowerPython("x = [" + (0..<20_000).map { "\($0 % 7 + 10)" }.joined(separator: ", ") + "]\n")
        let coarse = GumTreeMatcher.match(l1, l3)
        #expect(coarse.notes.contains { $0.contains("position by position") }, "\(coarse.notes)")
    }
}
