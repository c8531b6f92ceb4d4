import Catalogue
import SourceModel
import Testing
import TreeSitterKit

/// Where objects held in fields come from (`PythonFacts.origins(of:)`), and the classes that hold optimizers without
/// being one.
@Suite("Object origins")
struct ObjectOriginTests {
    static func facts(_ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: "t.py", language: .python, bytes: Array(source.utf8)))
    }

    @Test("a field of a dataclass without __init__ read on self comes from what its constructions give it")
    func dataclassSelfField() throws {
        let facts = try Self.facts("""
        from dataclasses import dataclass
        @dataclass
        class Ramp:
            total: int
            def at(self, step):
                return step / self.total
        @dataclass
        class Trainer:
            schedule: Ramp
            limit: int = 7
            def window(self, step):
                return self.schedule.at(step), self.limit
        trainer = Trainer(schedule=Ramp(total=900))
        other = Trainer(Ramp(total=40), limit=3)
        """)
        let read = try #require(facts.nodes(ofType: "attribute").first { $0.text == "self.schedule" })
        #expect(facts.origins(of: read).map(\.text).sorted() == ["Ramp(total=40)", "Ramp(total=900)"])
        let limit = try #require(facts.nodes(ofType: "attribute").first { $0.text == "self.limit" })
        #expect(facts.origins(of: limit).map(\.text).sorted() == ["3", "7"])
    }

    @Test("a class whose step only steps the optimizers it holds is no optimizer; one stepping its base through super() is")
    func optimizerContainers() throws {
        let facts = try Self.facts("""
        import torch
        def orthogonalize(G):
            X = G / G.norm()
            for _ in range(5):
                A = X @ X.T
                X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
            return X
        class Muon(torch.optim.Optimizer):
            @torch.no_grad()
            def step(self):
                for group in self.param_groups:
                    for p in group["params"]:
                        p.add_(orthogonalize(p.grad), alpha=-group["lr"])
        class Logged(Muon):
            def step(self):
                super().step()
        class Group:
            def __init__(self, optimizers):
                self.optimizers = optimizers
            def step(self):
                for opt in self.optimizers:
                    opt.step()
        opts = Group([torch.optim.AdamW(params_a, lr=1e-3), Muon(params_b, lr=0.02), Logged(params_c, lr=0.01)])
        """)
        #expect(facts.optimizers.map(\.call.name).sorted() == ["AdamW", "Logged", "Muon"])
        #expect(facts.orthogonalizingOptimizerClasses.map(\.name).sorted() == ["Logged", "Muon"])
    }
}
