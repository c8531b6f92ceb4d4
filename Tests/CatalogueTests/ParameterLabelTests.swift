import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Tables of per-parameter settings keyed by the labels a model writes on its tensors (`ParameterLabels.swift`).
@Suite("Parameter label tables")
struct ParameterLabelTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "train.py", language: .python, bytes: Array(source.utf8)))
    }

    static let model = """
    import torch
    import torch.nn as nn
    from dataclasses import dataclass

    @dataclass
    class Spec:
        kind: str
        lr_mul: float = 1.0
        betas: tuple = (0.8, 0.95)

    TABLE = {
        "embed": Spec("adam", lr_mul=15.0),
        "head": Spec(kind="adam", lr_mul=0.2),
        "blk": Spec("ortho"),
        "unused": Spec("adam", lr_mul=3.0),
    }

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(50304, 768)
            self.blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(4))
            self.head = nn.Linear(768, 50304, bias=False)
            self.embed.weight.label = "embed"
            self.head.weight.label = "head"
            for i, b in enumerate(self.blocks):
                b.weight.label = f"blk{i}"

    def spec_for(label):
        return TABLE[max((k for k in TABLE if label.startswith(k)), key=len)]

    """

    @Test func labelsTablesAndRowValues() throws {
        let facts = try Self.facts(Self.model + """
        class Both(torch.optim.Optimizer):
            def __init__(self, params, base=0.04):
                self.rows = [(p, spec_for(p.label)) for p in params]
                self.base = base
                super().__init__(params, dict(lr=base))
            def step(self):
                for p, s in self.rows:
                    lr = self.base * s.lr_mul
                    if s.kind == "ortho":
                        p.sub_(lr * zeropower_via_newtonschulz5(p.grad))
                    else:
                        m, v = p.grad, p.grad.square()
                        p.sub_(lr * m / (v.sqrt() + 1e-8))

        opt = Both(Net().parameters(), base=0.04)
        """)
        let labels = try #require(facts.parameterLabels["label"])
        #expect(labels["embed"] == [.embedding])
        #expect(labels["head"] == [.head])
        #expect(labels.keys.contains("blk*"), "a formatted label keeps its known text")
        let table = try #require(facts.labelTables.first)
        #expect(table.holder == "TABLE")
        #expect(table.rows.map(\.key) == ["embed", "head", "blk"], "a row serving no label is left out")
        let rates = table.rows.map { facts.labelRowValues($0, "lr").map(\.double) }
        #expect(rates.map { $0.map { ($0 * 1e6).rounded() / 1e6 } } == [[0.6], [0.008], [0.04]], "multiplier times the base it is multiplied by")
        #expect(table.rows.map { facts.labelRowFamily($0) } == [.adam, .adam, .muon])
        let betas = try #require(facts.labelRowSetting(table.rows[0], "betas"))
        #expect(betas.text == "(0.8, 0.95)", "a dataclass default")

        let uses = facts.optimizers.filter { $0.labelRow != nil }
        #expect(uses.count == 3, "one optimizer per row")
        #expect(uses.filter { $0.family == .muon }.map { $0.labelRow?.key } == ["blk"])
        let slots = facts.optimizerSlots.filter { $0.kinds.contains(.embedding) }
        #expect(slots.map(\.learningRates) == [[0.6]])
    }

    @Test func rowsReachOnlyTheConstructionsTheirFieldsSelect() throws {
        let facts = try Self.facts(Self.model + """
        def build(model):
            out = []
            for p in model.parameters():
                s = spec_for(p.label)
                if s.kind == "adam":
                    out.append(torch.optim.Adam([p], lr=0.02 * s.lr_mul, betas=s.betas))
                else:
                    out.append(torch.optim.SGD([p], lr=0.02 * s.lr_mul, momentum=0.9))
            return out
        """)
        let adams = facts.optimizers.filter { $0.family.isAdamFamily }
        #expect(Set(adams.compactMap { $0.labelRow?.key }) == ["embed", "head"])
        let sgd = facts.optimizers.filter { $0.family == .sgd }
        #expect(sgd.compactMap { $0.labelRow?.key } == ["blk"], "the ortho row takes the else branch")
        let headBetas = try #require(adams.first { $0.labelRow?.key == "head" })
        #expect(headBetas.settingNodes("betas", position: 2, in: facts).compactMap { $0?.text } == ["(0.8, 0.95)"])
    }

    @Test func labelsWithoutATableOrAnOptimizerChangeNothing() throws {
        // Labels and a keyed table that no optimizer reads: optimizers stay as written.
        let facts = try Self.facts(Self.model + """
        opt = torch.optim.Adam(Net().parameters(), lr=0.001)
        """)
        #expect(!facts.labelTables.isEmpty)
        #expect(facts.optimizers.count == 1)
        #expect(facts.optimizers[0].labelRow == nil)
        #expect(facts.optimizers[0].values("lr", position: 1, in: facts).map(\.double) == [0.001])
    }
}

/// Parameter kinds told by a label a dimensionality test picks (`KindLabels.swift`).
@Suite("Kind labels")
struct KindLabelTests {
    @Test("a label chosen by a rank test names a side, read through a comparison or a groupby")
    func labels() throws {
        let facts = try ParameterLabelTests.facts("""
        import itertools
        def kind_of(p):
            return "matrix" if p.ndim == 2 else "scalar"
        def size_of(p):
            return "big" if p.numel() > 1000 else "small"
        by_kind = {k: list(g) for k, g in itertools.groupby(sorted(ps, key=kind_of), key=kind_of)}
        ranked = {k: list(g) for k, g in itertools.groupby(ps, key=lambda p: "vec" if p.ndim < 2 else "mat")}
        a = [p for p in ps if kind_of(p) == "matrix"]
        b = [p for p in ps if "matrix" != kind_of(p)]
        c = [p for p in ps if size_of(p) == "big"]
        """)
        let named = try #require(facts.nodes(ofType: "identifier").first { $0.text == "kind_of" && $0.parent?.type == "keyword_argument" })
        #expect(facts.kindLabels(of: named) == ["matrix": .matrices, "scalar": .scalars])
        let sizes = try #require(facts.nodes(ofType: "identifier").first { $0.text == "size_of" && $0.parent?.type == "call" })
        #expect(facts.kindLabels(of: sizes).isEmpty, "a size test is no rank test")
        func right(_ name: String) throws -> Node {
            try #require(facts.nodes(ofType: "assignment").first { $0.child(byField: "left")?.text == name }?.child(byField: "right"))
        }
        #expect(facts.groupedLabelSide(try right("by_kind"), key: "scalar") == .scalars)
        #expect(facts.groupedLabelSide(try right("ranked"), key: "mat") == .matrices, "a lambda labels too")
        #expect(facts.groupedLabelSide(try right("ranked"), key: "other") == nil)
        func clause(_ name: String) throws -> Node {
            try #require(try right(name).namedChildren.first { $0.type == "if_clause" })
        }
        #expect(facts.labelComparisonSide(try clause("a")) == .matrices)
        #expect(facts.labelComparisonSide(try clause("b")) == .scalars, "`!=` keeps the other side")
        #expect(facts.labelComparisonSide(try clause("c")) == nil)
    }
}
