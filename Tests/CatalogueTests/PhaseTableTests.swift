import Catalogue
import SourceModel
import Testing

/// Learning-rate schedules written as tables of phases walked in order (`PhaseTables.swift`), read as one curve over
/// the run.
@Suite("Phase tables")
struct PhaseTableTests {
    static func curves(_ source: String) throws -> [ScheduleCurve] {
        try PythonFacts(file: SourceFile(path: "phases.py", language: .python, bytes: Array(source.utf8))).scheduleCurves
    }

    @Test("tuple rows unpacked by the loop header, the factor handed to a setter: one curve over the run")
    func tupleRows() throws {
        let curves = try Self.curves("""
        import torch
        opt = torch.optim.Adam(torch.nn.Linear(4, 4).parameters(), lr=0.01)
        def set_factor(f):
            for g in opt.param_groups:
                g["lr"] = 0.01 * f
        PHASES = [("warm", 100, lambda i, n: (i + 1) / n), ("hold", 500, lambda i, n: 1.0), ("cool", 400, lambda i, n: (n - i) / n)]
        for name, steps, fn in PHASES:
            for i in range(steps):
                set_factor(fn(i, steps))
        """)
        let curve = try #require(curves.first)
        #expect(curves.count == 1)
        #expect(curve.horizon == 1000, "the phases' lengths laid end to end")
        #expect(curve.values.first == 1.0 / 100, "the warmup's first step")
        #expect(curve.values.last == 0, "the last phase at its end")
        #expect(curve.peak == 1)
        #expect(curve.isTrapezoid)
    }

    @Test("dict rows read through a local of the loop body, a counter of the run handed to the function")
    func dictRows() throws {
        let curves = try Self.curves("""
        import torch
        opt = torch.optim.Adam(torch.nn.Linear(4, 4).parameters(), lr=0.01)
        def fall(i, n, s):
            return 1.0 - s / 1000
        PHASES = [dict(steps=200, lr=lambda i, n, s: 1.0), dict(steps=800, lr=fall)]
        step = 0
        for phase in PHASES:
            n = phase["steps"]
            for i in range(n):
                lr = phase["lr"](i, n, step)
                for g in opt.param_groups:
                    g["lr"] = lr
                step += 1
        """)
        let curve = try #require(curves.first)
        #expect(curve.horizon == 1000)
        #expect(curve.values.first == 1)
        #expect(curve.values.last == 0, "the counter stands for the step of the run")
    }

    @Test("a phase function whose value never reaches a rate is no schedule")
    func momentumOnly() throws {
        let curves = try Self.curves("""
        import torch
        opt = torch.optim.SGD(torch.nn.Linear(4, 4).parameters(), lr=0.01)
        PHASES = [(300, lambda i, n: 0.85 + 0.1 * i / n), (700, lambda i, n: 0.95)]
        for steps, fn in PHASES:
            for i in range(steps):
                for g in opt.param_groups:
                    g["momentum"] = fn(i, steps)
        """)
        #expect(curves.isEmpty)
    }
}
