import Parsing
import SourceModel
import Testing
import TreeSitterGrammars
import TreeSitterKit

/// The subtree hash of function `name` after normalization.
func functionHash(_ source: String, _ name: String = "f", options: NormalizationOptions = .standard) throws -> UInt64 {
    let tree = NormalizedTree.build(try Parser(language: .python).parse(source).rootNode, language: .python, options: options)
    let node = try #require((0..<tree.count).first { tree.entity[$0]?.name == name && tree.entity[$0]?.kind == .function })
    return tree.hash[node]
}

/// Every spelling normalizes to the same subtree as the first; with normalization off they differ.
func expectEquivalent(_ bodies: [String], imports: String = "import torch\nimport torch.nn.functional as F\nimport math\n",
                      options: NormalizationOptions = .standard, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let hashes = try bodies.map { try functionHash("\(imports)def f(x, y):\n    return \($0)\n", options: options) }
    for (body, hash) in zip(bodies, hashes) {
        #expect(hash == hashes[0], "\(body) should normalize like \(bodies[0])", sourceLocation: sourceLocation)
    }
    let raw = try bodies.map { try functionHash("\(imports)def f(x, y):\n    return \($0)\n", options: .none) }
    #expect(Set(raw).count > 1, "without normalization the spellings differ", sourceLocation: sourceLocation)
}

@Suite struct NormalizationTests {
    @Test func squares() throws {
        try expectEquivalent(["x ** 2", "x.square()", "torch.square(x)", "x.pow(2)", "x * x", "torch.pow(x, 2)", "x ** 2.0",
                              "torch.mul(x, x)", "x.mul(x)"])
    }

    @Test func aProductOfTwoTensorsIsNoSquare() throws {
        let body = { (expression: String) in try functionHash("import torch\ndef f(x, y):\n    return \(expression)\n", options: .standard) }
        #expect(try body("torch.mul(x, y)") != body("torch.square(x)"))
        #expect(try body("x.mul(y)") != body("torch.square(x)"))
        #expect(try body("x.mul(2)") != body("torch.square(x)"))
    }

    @Test func reluSpellings() throws {
        try expectEquivalent(["F.relu(x)", "torch.relu(x)", "torch.nn.functional.relu(x)", "x.relu()", "F.relu(x, inplace=True)"])
    }

    @Test func reluSquaredAsTheDesignBriefSpellsIt() throws {
        try expectEquivalent(["F.relu(x).square()", "torch.relu(x) ** 2", "torch.square(F.relu(x))", "F.relu(x).pow(2)",
                              "F.relu(x) * F.relu(x)"])
    }

    @Test func matrixProducts() throws {
        try expectEquivalent(["x @ y", "torch.matmul(x, y)", "x.matmul(y)"])
    }

    @Test func importSpellingsOfTheSameFunction() throws {
        let a = try functionHash("import torch.nn.functional as F\ndef f(x):\n    return F.gelu(x)\n")
        let b = try functionHash("from torch.nn import functional as fn\ndef f(x):\n    return fn.gelu(x)\n")
        let c = try functionHash("from torch.nn.functional import gelu\ndef f(x):\n    return gelu(x)\n")
        let d = try functionHash("import torch\ndef f(x):\n    return torch.nn.functional.gelu(x)\n")
        #expect(Set([a, b, c, d]).count == 1)
    }

    @Test func keywordAndPositionalArgumentsOfKnownSignatures() throws {
        try expectEquivalent(["torch.nn.Linear(768, 3072, bias=False)",
                              "torch.nn.Linear(in_features=768, out_features=3072, bias=False)",
                              "torch.nn.Linear(bias=False, out_features=3072, in_features=768)"])
        try expectEquivalent(["F.scaled_dot_product_attention(x, y, y, is_causal=True)",
                              "F.scaled_dot_product_attention(query=x, key=y, value=y, is_causal=True)"])
    }

    @Test func unknownSignaturesKeepTheirArguments() throws {
        let a = try functionHash("def f(x):\n    return g(1, b=2)\n")
        let b = try functionHash("def f(x):\n    return g(a=1, b=2)\n")
        #expect(a != b, "without a signature, positional and keyword cannot be equated")
    }

    @Test func constantFolding() throws {
        try expectEquivalent(["1 / math.sqrt(4)", "0.5", "2 ** -1", "(1.0 / 2)"])
        try expectEquivalent(["8 * 64 * 1024", "524288", "2 ** 19"])
        try expectEquivalent(["2 * 0.0009", "0.0018", "1.8e-3"])
        let a = try functionHash("import math\ndef f(x):\n    return x * (1 / math.sqrt(24))\n")
        let b = try functionHash("def f(x):\n    return x * 0.2041241452319315\n")
        #expect(a == b)
    }

    @Test func foldingLeavesNonConstantsAlone() throws {
        let a = try functionHash("def f(x):\n    return x / 2\n")
        let b = try functionHash("def f(x):\n    return x * 0.5\n")
        #expect(a != b, "x / 2 and x * 0.5 are different expressions; only constants fold")
        let c = try functionHash("def f(x):\n    return 1 / 0\n")
        let d = try functionHash("def f(x):\n    return 1 / 0.0\n")
        #expect(c != d, "a division by zero is not folded (it stays as written)")
    }

    @Test func squareIsNotInventedFromDifferentOperands() throws {
        let a = try functionHash("import torch\ndef f(x, y):\n    return x * y\n")
        let b = try functionHash("import torch\ndef f(x, y):\n    return torch.square(x)\n")
        #expect(a != b)
        let c = try functionHash("def f(x, y):\n    return x ** 3\n")
        let d = try functionHash("def f(x, y):\n    return x ** 2\n")
        #expect(c != d)
    }

    @Test func identifierAbstractionMakesConsistentRenamesEqual() throws {
        let a = """
        def f(x, scale):
            hidden = x * scale
            return hidden + x
        """
        let b = """
        def f(inp, s):
            h = inp * s
            return h + inp
        """
        #expect(try functionHash(a, options: .all) == functionHash(b, options: .all))
        #expect(try functionHash(a) != functionHash(b), "off by default")
        let c = """
        def f(x, scale):
            hidden = x * scale
            return hidden + scale
        """
        #expect(try functionHash(a, options: .all) != functionHash(c, options: .all), "an inconsistent rename is a change")
    }

    @Test func abstractionKeepsFieldsAndGlobals() throws {
        let a = "import torch\nLR = 1\ndef f(m):\n    return m.weight * LR + torch.ones(1)\n"
        let b = "import torch\nLR = 1\ndef f(m):\n    return m.bias * LR + torch.ones(1)\n"
        #expect(try functionHash(a, options: .all) != functionHash(b, options: .all), "attribute names are not abstracted")
    }

    @Test func deeplyNestedConstantIsFoldedWithoutRecursion() throws {
        let depth = 5_000
        let expression = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        // Deeper than analyses accept (`Parser.maximumDepth`): the folder itself must not recurse.
        let parser = try Parser(language: .python)
        parser.maximumDepth = .max
        let tree = try parser.parse("x = \(expression)\n")
        let folder = ConstantFolder(imports: ImportTable(root: tree.rootNode))
        let value = tree.rootNode.preorder.first { $0.type == "parenthesized_expression" }.flatMap { folder.evaluate($0) }
        #expect(value == .int(1))
    }
}

@Suite struct ShadowingTests {
    @Test func aParameterNamedLikeAnImportIsTheParameter() throws {
        let source = """
        import torch._inductor.config as config
        def build(config):
            return config.n_embd
        def tune():
            return config.coordinate_descent_tuning
        """
        let tree = NormalizedTree.build(try Parser(language: .python).parse(source).rootNode, language: .python)
        #expect(!tree.label.contains("torch._inductor.config.n_embd"), "the parameter shadows the import")
        #expect(tree.label.contains("torch._inductor.config.coordinate_descent_tuning"))
    }
}
