import Parsing
import TreeSitterKit

/// `lr_retune_for_muon`: the Adam-family (embedding / head) learning rate is 0.0036 and the orthogonalizing
/// optimizer's is 0.00036 (a tenth of it).
///
/// Requires both in one file: an Adam or AdamW optimizer with peak lr 0.0036 and an orthogonalizing optimizer (see
/// `muon_optimizer`) with peak lr 0.00036, each resolved where it is set (literal, `**kwargs` entry, product such as
/// `0.1 * args.learning_rate` or `2 * 0.0018`, config field or dictionary entry, argparse default, parameter group
/// entry, class default; a class of the file may take the rate under any parameter name its defaults store as `lr`)
/// and reaching the constructor, or the rate argument of an orthogonalized update written as a function (a schedule
/// handed to it every step counts by its peak). Relative tolerance 1e-6. Rejects the record-3 pair (0.0018 with Muon
/// at 10x), AdamW at 0.0036 with Muon at another value, and files without an orthogonalizing optimizer. With a table
/// of per-parameter settings keyed by parameter labels (see `LabelRow`), each row's rate (`BASE_LR * spec.lr_mul`) is
/// read for the optimizer kind the row names.
/// Examples: `queries/python/lr_retune_for_muon/examples/`.
struct LrRetuneForMuon: Detector {
    let id = "lr_retune_for_muon"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        // Rows of a label table: an Adam row at 0.0036 beside an orthogonalized row at 0.00036.
        let rows = facts.optimizers.filter { $0.labelRow != nil }
        if let head = rows.first(where: { $0.family.isAdamFamily && $0.values("lr", in: facts).contains { close($0.double, 0.0036) } }),
           let muon = rows.first(where: { $0.family == .muon && $0.values("lr", in: facts).contains { close($0.double, 0.00036) } }),
           let headRow = head.labelRow, let muonRow = muon.labelRow {
            return [facts.evidence(headRow.value, "Adam-family lr 0.0036"), facts.evidence(muonRow.value, "orthogonalizing optimizer lr 0.00036")]
        }
        var adam = facts.optimizers.filter(\.family.isAdamFamily).filter { rates(of: $0, facts).contains(where: { close($0, 0.0036) }) }
        // Else an Adam by the rate its slot reads (an update run every step with a scheduled rate, by the schedule's
        // peak: `adam_step(..., lr=0.0036 * mult)`, torch's functional `adamw(..., lr=lr)`; see `optimizerSlots`).
        if adam.isEmpty {
            adam = facts.optimizerSlots.filter { $0.optimizer.family.isAdamFamily && $0.learningRates.contains(where: { close($0, 0.0036) }) }
                .map(\.optimizer)
        }
        guard let head = adam.first else { return [] }
        // Evidence of a construction picked per record of a table is that record (its rate is written there).
        let headSite = head.record?.dictionary ?? head.call.node
        for muon in facts.orthogonalizingOptimizers {
            for use in muon.uses where learningRates(use, facts, scope: muon.scope).contains(where: { close($0, 0.00036) }) {
                return [facts.evidence(headSite, "Adam-family lr 0.0036"), facts.evidence(use.node, "orthogonalizing optimizer lr 0.00036")]
            }
        }
        // An orthogonalizing optimizer picked per record of a table (`OPTIMIZERS[entry["type"]](params, **entry["params"])`
        // over the optimizer entries of a configuration), by the rate its record gives.
        for muon in facts.optimizers where muon.family == .muon && muon.record != nil && rates(of: muon, facts).contains(where: { close($0, 0.00036) }) {
            return [facts.evidence(headSite, "Adam-family lr 0.0036"),
                    facts.evidence(muon.record?.dictionary ?? muon.call.node, "orthogonalizing optimizer lr 0.00036")]
        }
        // A library Muon whose updates are RMS-matched to AdamW applies 0.2 times the rate it is given (see
        // `LibraryMuon.swift`): `lr=0.0018` there is 0.00036 per unit-RMS step.
        for muon in facts.libraryMuons(scaling: .rmsMatched) where learningRates(muon.call, facts).contains(where: { close(0.2 * $0, 0.00036) }) {
            return [facts.evidence(headSite, "Adam-family lr 0.0036"), facts.evidence(muon.call.node, "library Muon lr 0.0018 x 0.2 (RMS-matched) = 0.00036")]
        }
        // An orthogonalized update written as a function, by the rate its own signature takes (a scheduled rate by the
        // schedule's peak; see `optimizerSlots`).
        for slot in facts.optimizerSlots where slot.optimizer.family == .muon && slot.optimizer.stepFunction != nil
            && slot.learningRates.contains(where: { close($0, 0.00036) }) {
            return [facts.evidence(headSite, "Adam-family lr 0.0036"), facts.evidence(slot.site, "orthogonalizing optimizer lr 0.00036")]
        }
        return []
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * b }

    /// The learning rates a constructor receives: `lr` (keyword or second positional; for a class of the file, the
    /// `__init__` parameter its defaults store as `lr`, see `PythonFacts.optimizerParameter`), parameter groups' `lr`,
    /// else the class default.
    func learningRates(_ call: CallSite, _ facts: PythonFacts, scope: Node? = nil) -> [Double] {
        // A chain of transformations: the rate its last `scale(-lr)` applies.
        if let chain = facts.transformChain(at: call.node) { return chain.learningRates(in: facts) }
        var result: [Double] = []
        let initializer = scope.flatMap { scope in facts.function(named: "__init__").first(where: { facts.isInside($0.node, scope) }) }
        let rate = initializer.flatMap { facts.optimizerParameter(for: "lr", of: $0) } ?? "lr"
        if let lr = call.argument(rate, position: 1) ?? facts.keywordArgument(rate, of: call) { result += values(lr, facts) }
        if let params = call.argument("params", position: 0) {
            var groups = [facts.unparenthesized(params)]
            if groups[0].type == "identifier", let local = facts.latestValue(of: groups[0].text, before: groups[0]) {
                groups = [facts.unparenthesized(local)]
            }
            for list in groups where list.type == "list" {
                for group in list.namedChildren {
                    if let entry = OptimizerUse.entry("lr", in: group) { result += values(entry, facts) }
                }
            }
        }
        if result.isEmpty, let initializer, let value = facts.parameterDefault(initializer, rate) {
            result += values(value, facts)
        }
        return result
    }

    /// The learning rates of an optimizer use: those its constructor receives (see `learningRates`); for a construction
    /// picked per record of a table, the rate that record gives (see `OptimizerUse.values`).
    func rates(of use: OptimizerUse, _ facts: PythonFacts) -> [Double] {
        use.record == nil ? learningRates(use.call, facts) : use.values("lr", position: 1, in: facts).map(\.double)
    }

    /// The value the script computes (names followed as Python reads them), else every value a setting-based
    /// resolution gives.
    func values(_ node: Node, _ facts: PythonFacts) -> [Double] {
        if let v = facts.interpretedNumber(node) { return [v] }
        let resolved = facts.values(of: node).map(\.double)
        if !resolved.isEmpty { return resolved }
        return [facts.evaluate(node)].compactMap { $0 }
    }
}
