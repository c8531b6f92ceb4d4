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

    @Test("a name read through a module of the submission (`import pkg.schedules as sched`, then `sched.f(it)`) is that module's name; the code is shown as written")
    func qualifiedNames() throws {
        let package = try Self.facts("proj/pkg/__init__.py", "from . import schedules\n")
        let schedules = try Self.facts("proj/pkg/schedules.py", """
        def lr_to_zero(it, total, cooldown_frac):
            return min((1 - it / total) / cooldown_frac, 1.0)


        def lr_with_floor(it, total, cooldown_frac, floor):
            w = min((1 - it / total) / cooldown_frac, 1.0)
            return w * 1.0 + (1 - w) * floor
        """)
        func train(_ schedule: String) throws -> PythonFacts {
            try Self.facts("proj/train.py", """
            import torch
            import pkg.schedules as sched

            STEPS = 1390
            model = torch.nn.Linear(64, 64, bias=False)
            opt = torch.optim.Adam(model.parameters(), lr=0.008)
            scheduler = torch.optim.lr_scheduler.LambdaLR(opt, lambda it: \(schedule))
            for step in range(STEPS):
                model(torch.randn(4, 64)).square().mean().backward()
                opt.step()
                scheduler.step()
                opt.zero_grad(set_to_none=True)
            """)
        }
        let floored = try train("sched.lr_with_floor(it, STEPS, 0.4, 0.1)")
        let bundle = try #require(ModuleBundle([floored, package, schedules]))
        #expect(!bundle.facts.root.hasError)
        #expect(bundle.facts.file.text.contains("lambda it: lr_with_floor      (it, STEPS, 0.4, 0.1)"))
        let found = try #require(Classifier.classify([floored, package, schedules]).first { $0.id == "lr_decay_floor_0p1" })
        #expect(found.evidence.contains { $0.path == "proj/train.py" && $0.code.contains("sched.lr_with_floor(") })
        // Near miss: the same package, but the scheduler runs the schedule that decays to zero.
        let zero = try train("sched.lr_to_zero(it, STEPS, 0.4)")
        #expect(!Classifier.classify([zero, package, schedules]).contains { $0.id == "lr_decay_floor_0p1" })
    }

    @Test("a module itself (`pkg.lr`), a write (`config.LR = ...`) and a name the function binds keep their spelling")
    func qualifiedNamesKept() throws {
        let config = try Self.facts("proj/config.py", "LR = 0.0018\n")
        let sub = try Self.facts("proj/pkg/lr.py", "def f(it):\n    return 1.0\n")
        let train = try Self.facts("proj/train.py", """
        import config
        import pkg.lr
        config.LR = 0.002
        g = pkg.lr
        h = pkg.lr.f(3)


        def run(LR):
            return config.LR * LR
        """)
        let bundle = try #require(ModuleBundle([train, config, sub]))
        let text = bundle.facts.file.text
        #expect(text.contains("config.LR = 0.002"))
        #expect(text.contains("g = pkg.lr\n"))
        #expect(text.contains("h = f       (3)"))
        #expect(text.contains("return config.LR * LR"))
    }
}
