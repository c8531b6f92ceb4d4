import Catalogue
import SourceModel
import Testing
import TestSupport

/// Modules of one submission read as one program: ideas split across files are found, and evidence points into
/// the file that holds it.
@Suite("Module bundles")
struct ModuleBundleTests {
    static func facts(_ path: String, _ source: String) throws -> PythonFacts {
        try PythonFacts(file: SourceFile(path: path, language: .python, bytes: Array(source.utf8)))
    }

    @Test("an optimizer class of one module, built in another, is found; evidence stays in its own file")
    func crossModuleOptimizer() throws {
        let optim = try Self.facts("proj/optim.py", """
        import torch


        def orthogonalize(g, steps=5):
            x = g / (g.norm() + 1e-7)
            for _ in range(steps):
                a = x @ x.T
                x = 1.5 * x - 0.5 * a @ x
            return x


        class Ortho(torch.optim.Optimizer):
            def __init__(self, params, lr=0.02, momentum=0.95):
                super().__init__(params, dict(lr=lr, momentum=momentum))

            @torch.no_grad()
            def step(self):
                for group in self.param_groups:
                    for p in group["params"]:
                        buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                        buf.mul_(group["momentum"]).add_(p.grad)
                        p.add_(orthogonalize(buf), alpha=-group["lr"])
        """)
        let train = try Self.facts("proj/train.py", """
        import torch
        from optim import Ortho as Orthogonal

        model = torch.nn.Linear(64, 64, bias=False)
        opt = Orthogonal([model.weight], lr=0.02)
        for step in range(100):
            model(torch.randn(4, 64)).square().mean().backward()
            opt.step()
        """)
        // Alone, neither file implements Muon: one defines it, the other uses a name it imports.
        #expect(!Classifier.classify([train]).contains { $0.id == "muon_optimizer" })
        let together = Classifier.classify([train, optim])
        let muon = try #require(together.first { $0.id == "muon_optimizer" })
        // Every piece of evidence names one of the two files, at a line that exists in it.
        for evidence in muon.evidence {
            #expect(["proj/optim.py", "proj/train.py"].contains(evidence.path))
            let file = evidence.path == "proj/optim.py" ? optim.file : train.file
            #expect(evidence.range.endByte <= file.bytes.count)
            #expect(file.text(in: evidence.range.startByte..<evidence.range.endByte).hasPrefix(String(evidence.code.prefix(8))))
        }
    }

    @Test("a value set in a config module reaches the training module; a lone module is not bundled")
    func crossModuleValue() throws {
        let config = try Self.facts("config.py", "LEARNING_RATE = 18e-4\nSTEPS = 9536\n")
        let train = try Self.facts("train.py", """
        import torch
        import config
        from config import LEARNING_RATE

        model = torch.nn.Linear(8, 8)
        opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
        for _ in range(config.STEPS):
            model(torch.randn(2, 8)).sum().backward()
            opt.step()
        """)
        #expect(ModuleBundle([train]) == nil)
        let bundle = try #require(ModuleBundle([train, config]))
        // The config module comes first; the import lines are blank, every other byte keeps its offset.
        #expect(bundle.facts.file.text.hasPrefix("LEARNING_RATE = 18e-4"))
        #expect(!bundle.facts.file.text.contains("from config import"))
        let found = Classifier.classify([train, config])
        let lr = try #require(found.first { $0.id == "lr_increase_0p0018" })
        #expect(lr.evidence.allSatisfy { $0.path == "train.py" || $0.path == "config.py" })
    }

    @Test("an import that was a block's only statement leaves one; a library module named like a local one stays imported")
    func blankedImports() throws {
        let config = try Self.facts("pkg/config.py", "LR = 0.0018\n")
        let logging = try Self.facts("pkg/utils/logging.py", "def log(x):\n    print(x)\n")
        let train = try Self.facts("pkg/train.py", """
        import logging
        try:
            from .config import LR
        except ImportError:
            from config import LR
        logging.info(LR)
        """)
        let bundle = try #require(ModuleBundle([train, config, logging]))
        #expect(!bundle.facts.root.hasError)
        // `import logging` names the standard library from pkg/train.py, not pkg/utils/logging.py.
        #expect(bundle.facts.file.text.contains("import logging"))
        #expect(!bundle.facts.file.text.contains("from .config import"))
    }
}
