import Parsing
import TreeSitterKit

/// `adam_eps_1e-10`: an Adam-family optimizer is built with epsilon 1e-10.
///
/// Requires a `torch.optim.Adam` / `AdamW` construction (also one picked by name: `getattr(torch.optim, "Adam")(...)`,
/// a registry, `globals()`; see `PythonFacts.namedChoices`), or an Adam the file writes by hand (`AdamUpdate`: a class with a
/// `step`, or a function called with the parameters), whose `eps` (keyword, fourth positional argument,
/// parameter-group entry, an entry of a `**kwargs` dictionary, or an entry set after construction, see
/// `OptimizerPatches`: `g["eps"] = 1e-10` or `g.update(eps=1e-10)` over its groups, also in a callback built as
/// `Overrides(adam, eps=1e-10)`, each instance patching its own optimizer) resolves to 1e-10 within a relative 1e-6,
/// through constants, dataclass fields, argparse defaults and arithmetic (`10 ** -10`); for a hand-written Adam, also
/// the constant its step adds to the root (`v.sqrt() + self.eps`). A hand-written RMSprop (no first moment) is not Adam. When several Adams
/// exist and another one, without that epsilon, holds the output head, it does not count; nor does it when, within
/// one Adam, the parameter group holding the head keeps another epsilon (its own entry, or the constructor's, or
/// torch's default), see `headGroupEpsilon`; nor, with per-parameter rows of a label table (see `LabelRow`), when the
/// head's row keeps another. Rejects the default
/// epsilon, other values, and 1e-10 used by Newton-Schulz, norms or losses. Examples:
/// Library Adams count (apex's, DeepSpeed's and Transformer Engine's `FusedAdam`, bitsandbytes and torchao 8-bit Adams; see `OptimizerUse.libraryAdamClasses`).
/// `queries/python/adam_eps_1e-10/examples/`.
struct AdamEps1e10: Detector {
    let id = "adam_eps_1e-10"
    static let target = 1e-10

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let adams = facts.optimizers.filter(\.family.isAdamFamily)
        let matchingAll = adams.filter { adam in
            var values = adam.values("eps", position: 3, in: facts)
            // A construction made per record of a table reads the dictionaries it spreads in that record only (see
            // `OptimizerUse.spreadKeyword`), never same-named dictionaries of other records.
            if adam.record == nil { values += splatValues("eps", adam.call, facts) }
            return values.contains { abs($0.double - Self.target) <= 1e-6 * Self.target }
        }
        // Within one Adam, the parameter group holding the output head keeps its own epsilon (the constructor's, or
        // torch's 1e-8): 1e-10 on the other groups only does not count.
        let model = facts.model()
        let matching = matchingAll.filter { headGroupEpsilon($0, model, facts) ?? true }
        guard !matching.isEmpty else { return [] }
        // Rows of a label table (see `LabelRow`): the row of the output head must have it too.
        let headRows = adams.filter { $0.labelRow?.kinds.contains(.head) == true }
        if headRows.contains(where: { row in !matching.contains { $0.labelRow == row.labelRow } }) { return [] }
        let others = adams.filter { a in !matching.contains { $0.call.node == a.call.node } }
        if !others.isEmpty {
            func holdsHead(_ adam: OptimizerUse) -> Bool {
                guard let params = adam.call.argument("params", position: 0) else { return false }
                var roots = [params]
                if let name = SettingsTable.bareName(of: params) { roots += facts.allSettings.settings(name).map(\.value) }
                return roots.contains { root in facts.descendants(of: root).contains { model.isHead($0) } }
            }
            if others.contains(where: holdsHead) && !matching.contains(where: holdsHead) { return [] }
        }
        return matching.map { facts.evidence($0.call.node, "Adam-family optimizer with eps 1e-10") }
    }

    /// Whether the parameter group of an Adam that holds the output head has epsilon 1e-10: its own `"eps"` entry, else
    /// the constructor's `eps`, else torch's default 1e-8. Nil when none of its groups (`OptimizerUse.groups`) holds
    /// the head, or the groups' epsilon is patched later.
    func headGroupEpsilon(_ adam: OptimizerUse, _ model: ModelView, _ facts: PythonFacts) -> Bool? {
        // Groups patched after construction (`g["eps"] = ...` over the groups, `g.update(eps=...)`, an added group)
        // are read as `OptimizerUse.values` reads them.
        let patches = facts.patches(of: adam)
        guard patches.everyGroup["eps"] == nil, patches.oneGroup["eps"] == nil, patches.addedGroups.isEmpty else { return nil }
        guard let head = adam.groups.first(where: { group in
            OptimizerUse.entry("params", in: group).map { facts.descendants(of: $0).contains { model.isHead($0) } } ?? false
        }) else { return nil }
        func isTarget(_ node: Node) -> Bool? {
            let values = facts.values(of: node)
            guard !values.isEmpty else { return nil }
            return values.contains { abs($0.double - Self.target) <= 1e-6 * Self.target }
        }
        if let own = OptimizerUse.entry("eps", in: head) { return isTarget(own) }
        if let given = adam.call.argument("eps", position: 3) { return isTarget(given) }
        return false
    }

    /// Values of `name` in dictionaries spread into a call (`**ADAM_KW`, `**dict(eps=...)`, `**{"eps": ...}`).
    func splatValues(_ name: String, _ call: CallSite, _ facts: PythonFacts) -> [NumericValue] {
        guard call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return [] }
        var result: [NumericValue] = []
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let inner = splat.namedChild(0) else { continue }
            var dictionaries = [inner]
            if let bare = SettingsTable.bareName(of: inner) { dictionaries += facts.allSettings.settings(bare).map(\.value) }
            for dictionary in dictionaries where dictionary.type == "dictionary" || dictionary.type == "call" {
                if let entry = OptimizerUse.entry(name, in: dictionary) { result += facts.values(of: entry) }
            }
        }
        return result
    }
}
