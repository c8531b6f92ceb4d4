/// `muon_lr_0p05`: the Muon optimizer's learning rate is 0.05.
///
/// Requires a Muon optimizer (a class named Muon, or an optimizer of the file whose step orthogonalizes its
/// update) constructed with lr resolving to 0.05: the `lr=` keyword, the second positional argument, a
/// parameter group's `lr`, or the class's `lr` default when the call gives none (a class of the file may name that
/// parameter anything its defaults store as `lr`, see `PythonFacts.optimizerParameter`), through constants, dataclass
/// fields, argparse defaults, config dictionaries, enumeration members (also a loop variable over a table keyed by
/// members, in a branch that picks one: `if slot is Slot.HIDDEN: Muon(g, lr=slot.lr)`, see `PythonFacts.loopMember`), a
/// builder lambda of a table chosen per key of a comprehension and handed that key's rate (`{n: make[kind[n]](g,
/// rates[n]) for n, g in groups.items()}`, see `PythonFacts.keyedRuns`), a factory called once per row of a recipe table
/// with the row's rate (`make_optimizer(spec.pop("name"), buckets[k], **spec)`, see `PythonFacts.loopRowFactorySlots`)
/// and arithmetic; an `lr` set on every group after construction replaces it (`OptimizerPatches`); an update function
/// handed its rate every step as a base times a schedule multiplier peaking at 1 (`lr=args.matrix_lr * s` with `s =
/// lr_scale(step)`, also in a step function the loop calls with its step) reads as the base (see
/// `PythonFacts.scaledBaseRates`). Rejects Muon at
/// any other rate and 0.05 given to Adam or another optimizer (also when a callback's (optimizer, overrides) pairs
/// give it to another optimizer). Examples: `queries/python/muon_lr_0p05/examples/`.
struct MuonLr0p05: Detector {
    let id = "muon_lr_0p05"
    static let target = 0.05

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.optimizers.filter { $0.family == .muon }.compactMap { muon in
            let values = muon.values("lr", position: 1, in: facts).map(\.double)
            // Read per slot too: a factory built once per row of a recipe table gets the row's rate (see `optimizerSlots`).
            let slots = facts.optimizerSlots.filter { $0.optimizer.call.node == muon.call.node && $0.optimizer.family == .muon }.flatMap(\.learningRates)
            guard (values + slots).contains(where: { abs($0 - Self.target) < 1e-9 }) else { return nil }
            return facts.evidence(muon.call.node, "Muon with lr 0.05")
        }
    }
}
