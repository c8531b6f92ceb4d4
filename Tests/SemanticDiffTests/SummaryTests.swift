import Parsing
import SemanticDiff
import SourceModel
import Testing
import TreeSitterGrammars
import TreeSitterKit

func side(_ text: String, path: String, language: SourceLanguage = .python,
          options: NormalizationOptions = .standard) throws -> DiffSide {
    let parser = try Parser(language: language == .python ? .python : .cuda)
    let tree = NormalizedTree.build(try parser.parse(text).rootNode, language: language, options: options)
    return DiffSide(path: path, tree: tree, bytes: Array(text.utf8))
}

func semanticDiff(_ a: String, _ b: String, language: SourceLanguage = .python,
                  options: NormalizationOptions = .standard) throws -> SemanticDiffResult {
    SemanticDiffer.diff(try side(a, path: "old", language: language, options: options),
                        try side(b, path: "new", language: language, options: options))
}

extension SemanticDiffResult {
    /// `kind entity-kind name` per change, e.g. `added class Rotary`.
    var lines: [String] { changes.map { "\($0.kinds.map(\.rawValue).joined(separator: "+")) \($0.entityKind.rawValue) \($0.name)" } }
    func details(of name: String) -> [ChangeDetail] { changes.first { $0.name == name }?.details ?? [] }
}

@Suite struct SummaryTests {
    let base = """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    learning_rate = 0.0015

    class MLP(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.fc = nn.Linear(d, 4 * d)
            self.proj = nn.Linear(4 * d, d)

        def forward(self, x):
            x = self.fc(x)
            x = F.gelu(x)
            return self.proj(x)

    def configure_optimizers(model):
        return torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.1)

    def get_lr(it):
        return learning_rate * it / 100

    """

    @Test func identicalIsEmpty() throws {
        #expect(try semanticDiff(base, base).changes.isEmpty)
    }

    @Test func reformattedIsEmpty() throws {
        let reformatted = base
            .replacingOccurrences(of: "weight_decay=0.1)", with: "weight_decay = 1e-1)  # regularize")
            .replacingOccurrences(of: "learning_rate = 0.0015", with: "learning_rate = 1.5e-3\n\n\n")
            .replacingOccurrences(of: "return learning_rate * it / 100", with: "return (learning_rate * it\n            / 100)")
        let result = try semanticDiff(base, reformatted)
        #expect(result.changes.isEmpty, "\(result.lines)")
    }

    @Test func hyperparameterValueChange() throws {
        let result = try semanticDiff(base, base.replacingOccurrences(of: "learning_rate = 0.0015", with: "learning_rate = 0.0018"))
        #expect(result.lines == ["modified assignment learning_rate"])
        let detail = try #require(result.details(of: "learning_rate").first)
        #expect(detail.kind == .valueChanged && detail.old == "0.0015" && detail.new == "0.0018")
    }

    @Test func callTargetReplaced() throws {
        let result = try semanticDiff(base, base.replacingOccurrences(of: "F.gelu(x)", with: "F.relu(x).square()"))
        #expect(result.lines == ["modified method MLP.forward"])
        let details = result.details(of: "MLP.forward")
        #expect(details.count == 1, "\(details)")
        #expect(details.first?.kind == .statementChanged)
        #expect(details.first?.old == "x = F.gelu(x)" && details.first?.new == "x = F.relu(x).square()")
        let swapped = try semanticDiff(base, base.replacingOccurrences(of: "F.gelu(x)", with: "F.silu(x)"))
        let detail = try #require(swapped.details(of: "MLP.forward").first)
        #expect(detail.kind == .callTargetReplaced && detail.old == "F.gelu" && detail.new == "F.silu")
    }

    @Test func classAddedAndStatementAdded() throws {
        let rotary = """

        class Rotary(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.inv_freq = 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim))

            def forward(self, x):
                return x * self.inv_freq

        """
        var b = base.replacingOccurrences(of: "\nclass MLP", with: rotary + "\nclass MLP")
        b = b.replacingOccurrences(of: "        x = F.gelu(x)\n", with: "        x = F.gelu(x)\n        x = self.rotary(x)\n")
        let result = try semanticDiff(base, b)
        #expect(result.lines == ["added class Rotary", "modified method MLP.forward"], "\(result.lines)")
        let detail = try #require(result.details(of: "MLP.forward").first)
        #expect(detail.kind == .statementAdded)
        #expect(detail.new == "x = self.rotary(x)")
        let expectedLine = b.components(separatedBy: "\n").firstIndex { $0.contains("x = self.rotary(x)") }
        #expect(detail.newRange?.start.line == expectedLine)
    }

    @Test func removedFunctionAndArgumentRemoved() throws {
        var b = base.replacingOccurrences(of: ", weight_decay=0.1", with: "")
        b = b.replacingOccurrences(of: "def get_lr(it):\n    return learning_rate * it / 100\n", with: "")
        let result = try semanticDiff(base, b)
        #expect(result.lines == ["modified function configure_optimizers", "removed function get_lr"], "\(result.lines)")
        let detail = try #require(result.details(of: "configure_optimizers").first)
        #expect(detail.kind == .argumentRemoved && detail.old == "weight_decay=0.1")
    }

    @Test func movedFunctionIsOneMove() throws {
        let moved = base.replacingOccurrences(of: "def configure_optimizers(model):\n    return torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.1)\n", with: "")
            .replacingOccurrences(of: "learning_rate = 0.0015\n", with: "learning_rate = 0.0015\n\ndef configure_optimizers(model):\n    return torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.1)\n")
        let result = try semanticDiff(base, moved)
        #expect(result.lines == ["moved function configure_optimizers"], "\(result.lines)")
        #expect(result.actions.count == 1)
    }

    @Test func renamedLocalIsOneRename() throws {
        let b = base.replacingOccurrences(of: "x = self.fc(x)\n        x = F.gelu(x)\n        return self.proj(x)",
                                          with: "h = self.fc(x)\n        h = F.gelu(h)\n        return self.proj(h)")
        let result = try semanticDiff(base, b)
        #expect(result.lines == ["modified method MLP.forward"])
        let details = result.details(of: "MLP.forward")
        #expect(details.count == 1, "\(details)")
        #expect(details.first?.kind == .identifierRenamed && details.first?.old == "x" && details.first?.new == "h")
        #expect(details.first?.count == 4)
    }

    @Test func renamedFunctionIsARename() throws {
        let b = base.replacingOccurrences(of: "def get_lr(it)", with: "def lr_schedule(it)")
        let result = try semanticDiff(base, b)
        #expect(result.lines == ["renamed function lr_schedule"])
        #expect(result.changes.first?.oldName == "get_lr")
        #expect(result.changes.first?.details.isEmpty == true)
    }

    @Test func methodMovedToAnotherClass() throws {
        let a = "class A:\n    def f(self):\n        return 1\n    def g(self):\n        return 2\nclass B:\n    def h(self):\n        return 3\n"
        let b = "class A:\n    def f(self):\n        return 1\nclass B:\n    def h(self):\n        return 3\n    def g(self):\n        return 2\n"
        let result = try semanticDiff(a, b)
        #expect(result.lines == ["moved method B.g"], "\(result.lines)")
        #expect(result.changes.first?.oldName == "A.g")
    }

    @Test func decoratorAndImportAdded() throws {
        let b = base.replacingOccurrences(of: "import torch\n", with: "import torch\nimport math\n")
            .replacingOccurrences(of: "def get_lr(it)", with: "@torch.compile\ndef get_lr(it)")
        let result = try semanticDiff(base, b)
        #expect(Set(result.lines) == ["added import math", "added decorator get_lr.torch.compile"], "\(result.lines)")
    }

    @Test func normalizedIdiomsAreNoChange() throws {
        let a = base.replacingOccurrences(of: "F.gelu(x)", with: "F.relu(x) ** 2")
        let b = base.replacingOccurrences(of: "F.gelu(x)", with: "torch.square(torch.relu(x))")
        #expect(try semanticDiff(a, b).changes.isEmpty)
        #expect(try !semanticDiff(a, b, options: .none).changes.isEmpty)
    }

    @Test func cudaKernelChange() throws {
        let a = """
        __global__ void scale(float* x, int n) {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) x[i] = x[i] * 2.0f;
        }
        __global__ void add(float* x, const float* y, int n) {
            int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i < n) x[i] += y[i];
        }
        """
        let b = a.replacingOccurrences(of: "x[i] * 2.0f", with: "x[i] * 0.5f")
            .replacingOccurrences(of: "__global__ void add(float* x, const float* y, int n) {\n    int i = blockIdx.x * blockDim.x + threadIdx.x;\n    if (i < n) x[i] += y[i];\n}",
                                  with: "")
        let result = try semanticDiff(a, b, language: .cuda)
        #expect(result.lines == ["modified function scale", "removed function add"], "\(result.lines)")
        #expect(result.details(of: "scale").first.map { ($0.kind, $0.old, $0.new) } ?? (.codeAdded, nil, nil)
                == (.constantChanged, "2.0f", "0.5f"), "the detail shows the literal as written")
    }
}
