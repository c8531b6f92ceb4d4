/// `lr_increase_0p0018`: the Adam-family optimizer's peak learning rate is 0.0018.
///
/// The value is resolved where it is set and followed to where it is used: the `lr` an Adam or AdamW
/// constructor receives (argument, parameter group, or the class default), through module constants, dataclass
/// fields, descriptors in a class body (`learning_rate = Hyper(0.0018)`, see `descriptorValue`), argparse defaults,
/// config dictionaries, arithmetic and function parameters (also inside arithmetic,
/// `base_lr * rule["scale"]`); groups a builder collects count (`OPTS[kind](groups) for kind, groups in
/// per_opt.items()`, filled by `per_opt.setdefault(...).append(group)`), and a record of a table read by list index
/// (`RUNS[0]["lr"]`) gives that record's value only; for an Adam step written as a
/// function and called every step with the scheduled rate itself (`adam_update(..., lr_at(step))`), the schedule's
/// peak. A 0.0018 that never reaches an Adam-family optimizer does not count, nor a schedule peak that is scaled
/// before it reaches the step. Examples: `queries/python/lr_increase_0p0018/examples/`.
struct LrIncrease0p0018: Detector {
    let id = "lr_increase_0p0018"
    static let target = 0.0018

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.optimizers.filter(\.family.isAdamFamily).compactMap { optimizer in
            var values = optimizer.values("lr", position: 1, in: facts).map(\.double)
            // A step function handed the scheduled rate itself (`adam_update(..., lr=lr_at(step))`): its peak.
            if optimizer.stepFunction != nil, let rate = optimizer.argument("lr", position: nil, in: facts) {
                values += facts.scheduledPeaks(of: rate, at: optimizer.call)
            }
            guard values.contains(where: { abs($0 - Self.target) <= 1e-6 * Self.target }) else { return nil }
            return facts.evidence(optimizer.call.node, "Adam-family optimizer with peak lr 0.0018")
        }
    }
}
