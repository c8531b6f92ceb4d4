import Catalogue
import SourceModel
import Testing

/// Schedule objects called with the trainer's state (`StateSchedules.swift`): the step and the run's length read from
/// the state, the object's fields from its construction, the product over the list written to the groups' rates.
@Suite("State schedules")
struct StateScheduleTests {
    static func curves(_ source: String) throws -> [ScheduleCurve] {
        try PythonFacts(file: SourceFile(path: "state.py", language: .python, bytes: Array(source.utf8))).scheduleCurves
    }

    static let trainer = """
    import torch
    from dataclasses import dataclass, field
    @dataclass
    class State:
        max_duration: int
        schedulers: list = field(default_factory=list)
        step: int = 0
    class Warm:
        def __init__(self, warmup):
            self.warmup = warmup
        def __call__(self, state):
            return min(1.0, (state.step + 1) / self.warmup)
    class Cool:
        def __init__(self, frac):
            self.frac = frac
        def __call__(self, state):
            t = 1 - state.step / state.max_duration
            return min(1.0, t / self.frac)
    class Trainer:
        def __init__(self, schedulers, max_duration):
            self.state = State(max_duration=max_duration, schedulers=list(schedulers))
            self.opt = torch.optim.Adam(torch.nn.Linear(4, 4).parameters(), lr=0.01)
        def fit(self):
            state = self.state
            for step in range(state.max_duration):
                state.step = step
                mult = 1.0
                for sched in state.schedulers:
                    mult *= sched(state)
                for g in self.opt.param_groups:
                    g["lr"] = g["initial_lr"] * mult
                self.opt.step()
    """

    @Test("every schedule of the list is read with the state's step and length; a warmup and a cooldown make a trapezoid")
    func listOfStateSchedules() throws {
        let curves = try Self.curves(Self.trainer + "\n" + """
        Trainer([Warm(100), Cool(0.4)], max_duration=2000).fit()
        """)
        // One curve per schedule the product takes in (the write's factor is each of them in turn).
        #expect(curves.count == 2)
        let cool = try #require(curves.first { $0.values.first == 1 })
        #expect(cool.horizon == 2000, "the state's max_duration, given by the trainer's caller")
        #expect(cool.values.last == 0, "at the end of the run")
        #expect(cool.isTrapezoid)
        let warm = try #require(curves.first { $0.values.first == 0.01 })
        #expect(warm.values.last == 1)
    }

    @Test("a step field no loop drives stays at its default, also when the loop's own variable is called `step`: the rate is flat")
    func undrivenField() throws {
        let source = (Self.trainer + "\n" + """
        Trainer([Cool(0.4)], max_duration=2000).fit()
        """).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("state.step = step") }.joined(separator: "\n")
        #expect(!source.contains("state.step ="))
        // With the loop driving `state.step`, `Cool(0.4)` alone is a hold then a fall (a trapezoid without warmup).
        #expect(try Self.curves(Self.trainer + "\n" + "Trainer([Cool(0.4)], max_duration=2000).fit()").contains { $0.isTrapezoid })
        // Nothing moves `state.step` from its default 0 (the loop's own `step` is another name): the rate stays at the
        // base, a flat curve.
        let curves = try Self.curves(source)
        #expect(!curves.contains { $0.isTrapezoid })
        #expect(curves.allSatisfy { $0.values.allSatisfy { $0 == 1 } })
    }
}
