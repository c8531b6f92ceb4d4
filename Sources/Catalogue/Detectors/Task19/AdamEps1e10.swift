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
/// exist and another one, without that epsilon, holds the output head, it does not count. Rejects the default
/// epsilon, other values, and 1e-10 used by Newton-Schulz, norms or losses. Examples:
/// `queries/python/adam_eps_1e-10/examples/`.
struct AdamEps1e10: Detector {
    let id = "adam_eps_1e-10"
    static let target = 1e-10

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let adams = facts.optimizers.filter(\.family.isAdamFamily)
        let matching = adams.filter { adam in
            var values = adam.values("eps", position: 3, in: facts)
            // A construction made per record of a table reads the dictionaries it spreads in that record only (see
            // `OptimizerUse.spreadKeyword`), never same-named dictionaries of other records.
            if adam.record == nil { values += splatValues("eps", adam.call, facts) }
            return values.contains { abs($0.double - Self.target) <= 1e-6 * Self.target }
        }
        guard !matching.isEmpty else { return [] }
        let others = adams.filter { a in !matching.contains { $0.call.node == a.call.node } }
        if !others.isEmpty {
            let model = facts.model()
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
