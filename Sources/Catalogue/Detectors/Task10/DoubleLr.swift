import Parsing
import TreeSitterKit

/// `double_lr`: every learning rate of the embedding / head / Muon / scalar layout is at least twice record 10's.
///
/// Requires an Adam-family optimizer or group for the token embedding, one for the output head, and an
/// orthogonalizing optimizer, with every such learning rate resolved where it is set (a record of a rule table read
/// by list index, `RULES[2]["hp"]["lr"]`, gives that record's rate; a rate scaled once in place after construction,
/// `g["lr"] *= 2` over the groups, is read scaled, see `OptimizerPatches`; a builder chosen from a table for each group's
/// key gives one slot per key with that key's parameters and rate, see `PythonFacts.keyedRuns`) and at least doubled (1% tolerance): embedding >= 0.6, head >= 0.004, Muon >= 0.04, and, when an Adam group of scalar parameters exists,
/// scalars >= 0.04. Rejects the record-8/10 values, partial doubling (e.g. Muon still 0.02), values only in
/// comments or unused dictionaries, and files without the per-kind layout. Examples: `queries/python/double_lr/examples/`.
struct DoubleLr: Detector {
    let id = "double_lr"
    static let tolerance = 0.99

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let slots = facts.optimizerSlots
        let adam = slots.filter(\.optimizer.family.isAdamFamily)
        let embedding = adam.filter { $0.kinds.contains(.embedding) && !$0.kinds.contains(.head) }
        let head = adam.filter { $0.kinds.contains(.head) && !$0.kinds.contains(.embedding) }
        let scalars = adam.filter { $0.kinds.contains(.scalars) && !$0.kinds.contains(.embedding) && !$0.kinds.contains(.head) }
        let muon = slots.filter { $0.optimizer.orthogonalizes(in: facts) }
        guard !embedding.isEmpty, !head.isEmpty, !muon.isEmpty else { return [] }
        func atLeast(_ group: [OptimizerSlot], _ threshold: Double) -> Bool {
            group.allSatisfy { slot in slot.learningRates.first.map { $0 >= threshold * Self.tolerance } == true }
        }
        guard atLeast(embedding, 0.6), atLeast(head, 0.004), atLeast(muon, 0.04), atLeast(scalars, 0.04) else { return [] }
        return (embedding + head + muon + scalars).map { facts.evidence($0.site, "lr \($0.learningRates.first ?? 0)") }
    }
}
