import Foundation
import TreeSitterKit

/// `lr_decay_floor_0p1`: the learning-rate cooldown ends at one tenth of the peak instead of zero.
///
/// Requires a schedule that is applied to the optimizers (the function or lambda given to `LambdaLR`, the
/// `__call__` of a schedule object given to it, also a method its class body binds as `__call__ = lr_at`, or a
/// function whose result sets `group["lr"]`, read with the group's own base as 1 when an inner loop hands it each
/// group's starting rate, also the rate method of a scheduler class that counts its own steps in an
/// attribute, `self.num_steps`) and, run at the last step (the largest step count it reads, such
/// as `args.num_iterations`), returns 0.1 while it was at least 0.5 earlier in training (a rate rather than a
/// multiplier, `max_lr * (w + (1 - w) * 0.1)`: a tenth of its peak); or a `LinearLR` that
/// decays from a start factor of at least 0.5 to an `end_factor` of 0.1. The schedule's statements are executed
/// (assignments, `if` / `else`, `min` / `max`, config values), so the blend `w + (1 - w) * 0.1`, a floor added
/// to a decaying term, or `max(0.1, ...)` all count; the cooldown must be linear. Rejects decay to zero, a cosine decay to 0.1, the old `(0.1 + r) / 1.1` form, 0.1
/// used as a cooldown or warmup fraction, and schedules that are defined but not applied. Examples:
/// `queries/python/lr_decay_floor_0p1/examples/`. A `transformers` schedule read as a curve counts when it decays linearly to a tenth
/// of its peak (`get_wsd_schedule(..., decay_type="linear", min_lr_ratio=0.1)`). So does a rate computed inline where it is
/// written, in the training loop or in a callback method the loop runs each step (`w = min(1, (T - step) / W)`,
/// `g["lr"] = peak * (w + (1 - w) * 0.1)`), read as a curve by `inlineScheduleCurves`.
struct LrDecayFloor0p1: Detector {
    let id = "lr_decay_floor_0p1"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        var seen = Set<Int>()
        for use in facts.scheduleUses where seen.insert((use.function?.node ?? use.lambda)?.startByte ?? -1).inserted {
            // The last step is the step count or one less, depending on how the loop counts.
            guard let horizon = facts.horizon(of: use) else { continue }
            let earlier = [0, 0.25, 0.5].compactMap { facts.evaluate(use, step: $0 * horizon) }
            guard let peak = earlier.max(), peak > 0 else { continue }
            // A multiplier ending at 0.1 after at least 0.5, or a rate (`max_lr * ...`) ending at a tenth of its peak.
            let ends = [horizon, horizon - 1].compactMap { facts.evaluate(use, step: $0) }
            guard ends.contains(where: { (abs($0 - 0.1) < 1e-6 && peak >= 0.5) || abs($0 / peak - 0.1) < 1e-6 }),
                  coolsLinearly(use, horizon: horizon, facts) else { continue }
            evidence.append(facts.evidence(use.site, "LR multiplier ends at 0.1 of peak (step \(Int(horizon)))"))
        }
        // Schedules read only as curves: the library's (`get_wsd_schedule(..., decay_type="linear",
        // min_lr_ratio=0.1)`, see `LibrarySchedules.swift`) and rates computed inline where they are written
        // (`w = min(1, (T - step) / W); g["lr"] = peak * (w + (1 - w) * 0.1)` in the training loop or in a
        // callback's method it runs, see `inlineScheduleCurves`): a linear decay from the plateau to a tenth of the peak.
        let credited = Set(evidence.map(\.range.startByte))
        for curve in facts.scheduleCurves where !credited.contains(curve.site.startByte) {
            guard curve.peak > 0, let end = curve.values.last, abs(end / curve.peak - 0.1) < 1e-6,
                  coolsLinearly(steps: curve.steps, values: curve.values) else { continue }
            let what = facts.isLibrarySchedule(curve.site) ? "library schedule" : "LR schedule"
            evidence.append(facts.evidence(curve.site, "\(what) decays linearly to 0.1 of its peak"))
        }
        for call in facts.calls where call.name == "LinearLR" {
            guard let end = call.argument("end_factor", position: 2), facts.values(of: end).contains(where: { abs($0.double - 0.1) < 1e-6 }),
                  let start = call.argument("start_factor", position: 1), facts.values(of: start).contains(where: { $0.double >= 0.5 })
            else { continue }
            evidence.append(facts.evidence(call.node, "LinearLR decays to end_factor 0.1"))
        }
        return evidence
    }

    /// Whether the multiplier falls on one line from the last step at its peak to the end (a cosine or step
    /// decay to 0.1 is another schedule).
    func coolsLinearly(_ use: PythonFacts.ScheduleUse, horizon: Double, _ facts: PythonFacts) -> Bool {
        let grid = (0...100).map { (horizon * Double($0) / 100).rounded() }
        let values = grid.map { facts.evaluate(use, step: $0) }
        guard values.allSatisfy({ $0 != nil }) else { return false }
        return coolsLinearly(steps: grid, values: values.map { $0! })
    }

    /// The same on a sampled schedule: `steps` ascending, `values` the schedule there.
    func coolsLinearly(steps grid: [Double], values ys: [Double]) -> Bool {
        guard let peak = ys.max(), let last = ys.indices.last(where: { ys[$0] >= peak * (1 - 1e-6) }), last < grid.count - 2 else { return false }
        // The first point after the plateau may still sit on its edge: fit through the next one and the point
        // where the floor is reached (a decay clipped at the floor, `max(0.1, 1 - progress)`, stays there).
        let a = last + 1, end = grid.count - 1
        let floor = ys[end]
        guard let b = (a...end).first(where: { ys[$0] <= floor + 1e-6 * peak }), b > a else { return false }
        let slope = (ys[b] - ys[a]) / (grid[b] - grid[a])
        return (a...b).allSatisfy { abs(ys[a] + slope * (grid[$0] - grid[a]) - ys[$0]) <= 0.01 * peak }
    }
}
