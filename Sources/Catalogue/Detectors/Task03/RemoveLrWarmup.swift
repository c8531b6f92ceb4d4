import Parsing
import TreeSitterKit

/// `remove_lr_warmup`: training starts at the peak learning rate; there is no warmup ramp.
///
/// Requires an optimizer and at least one learning-rate schedule that drives it (see `scheduleCurves`), every one
/// of them evaluated at step 0 already at its peak while still changing later in the run: no warmup branch, or a
/// warmup whose length resolves to 0 (dataclass field, argparse default, constant) so the branch is dead.
/// Rejects a warmup of any positive length (also a `LinearLR(start_factor < 1)` first phase), a zero
/// `warmup_iters` setting that the schedule ignores while ramping over a hard-coded length, and files with no
/// optimizer or no schedule. The `transformers` schedules are read as curves too (see `LibrarySchedules.swift`); a
/// ramp behind `warmup > 0 and step < warmup` with no warmup is never reached (Python's short circuit, see
/// `PythonFacts.evaluate`). A flat multiplier a decorator of the file reshapes is read through the decorator's wrapper
/// (see `InterpreterDecorators.swift`). Examples: `queries/python/remove_lr_warmup/examples/`.
struct RemoveLrWarmup: Detector {
    let id = "remove_lr_warmup"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard facts.optimizers.contains(where: { !$0.call.callee.hasPrefix("torch.optim.lr_scheduler") }) else { return [] }
        let curves = facts.scheduleCurves.filter(\.varies)
        guard !curves.isEmpty, curves.allSatisfy(\.startsAtPeak) else { return [] }
        return curves.map { facts.evidence($0.site, "LR schedule starts at its peak (no warmup)") }
    }
}
