import Parsing
import TreeSitterKit

/// `adam_beta1_0p8`: every Adam-family optimizer uses a first-moment coefficient of 0.8.
///
/// Requires at least one `torch.optim.Adam`/`AdamW` and beta1 resolving to 0.8 in each of them (and in each
/// parameter group that sets its own `betas`): the first element of `betas`, given as a literal tuple, a name
/// or field set to a tuple (a name by the value it last had before the read: `ab = (0.9, 0.95); ab = (0.8, ab[1])` is
/// 0.8; a parameter of a builder by what its callers pass before its default), elements from
/// constants/fields/argparse defaults/arithmetic, or a `betas` entry of a
/// dictionary spread with `**`. An Adam without `betas` has the default 0.9; an Adam the file writes by hand
/// (`AdamUpdate`) has its own signature's default, else the decay its step gives the first moment (`m.lerp_(g, 1 -
/// b1)`, `m.mul_(b1).add_(g, ...)`, `b1 * m + (1 - b1) * g`). Entries patched after construction
/// (`for g in opt.param_groups: g["betas"] = ...`, `g.update(betas=...)`, also by a callback built with (optimizer,
/// overrides) pairs, each mapping applied to its own optimizer) replace the argument (`OptimizerPatches`). Rejects 0.8
/// as beta2, some Adams at 0.8 and others at 0.9 (also when a callback's pairs leave one Adam out), and 0.8 used as
/// another optimizer's momentum. Examples:
/// `queries/python/adam_beta1_0p8/examples/`.
struct AdamBeta1_0p8: Detector {
    let id = "adam_beta1_0p8"
    static let target = 0.8

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let adams = facts.optimizers.filter(\.family.isAdamFamily)
        guard !adams.isEmpty else { return [] }
        var evidence: [Evidence] = []
        for adam in adams {
            let betas = adam.settingNodes("betas", position: 2, in: facts)
            for value in betas {
                guard let value else {
                    if adam.groups.isEmpty || betas.count == 1 {
                        // The file's own Adam: its signature's default, else what its step's first moment keeps.
                        guard adam.update != nil || adam.definition != nil else { return [] }  // torch's default 0.9
                        let defaults = ownDefault(adam, facts).flatMap { firstElement($0, facts) }.map { facts.values(of: $0).map(\.double) }
                        let beta1 = defaults ?? adam.handWrittenBeta1(in: facts)
                        guard !beta1.isEmpty, beta1.allSatisfy({ abs($0 - Self.target) < 1e-9 }) else { return [] }
                    }
                    continue
                }
                guard let beta1 = firstElement(value, facts), facts.values(of: beta1).first.map({ abs($0.double - Self.target) < 1e-9 }) == true else {
                    return []
                }
            }
            evidence.append(facts.evidence(adam.call.node, "Adam with beta1 0.8"))
        }
        return evidence
    }

    /// The default of `betas` in the signature of the file's own optimizer (its `__init__` or step function).
    func ownDefault(_ adam: OptimizerUse, _ facts: PythonFacts) -> Node? {
        let function = adam.stepFunction ?? adam.definition.flatMap { facts.initializer(of: $0) }
        guard let parameters = function?.node.child(byField: "parameters") else { return nil }
        return parameters.namedChildren.first { $0.child(byField: "name")?.text == "betas" }?.child(byField: "value")
    }

    /// The first element of a tuple expression, following names set to a tuple and `tuple(...)` / `list(...)`. A plain
    /// name reads the value it last had before the read (`ab = (0.9, 0.95)` then `ab = (0.8, ab[1])` gives 0.8), a field
    /// of `self` what the classes built hold (a mixin's class attribute first), else its settings in order.
    func firstElement(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Node? {
        let n = facts.unwrapped(node)
        if n.type == "tuple" || n.type == "list" { return n.namedChildren.first }
        if n.type == "call", ["tuple", "list"].contains(facts.callSite(n).callee), let inner = facts.callSite(n).positional.first, depth < 4 {
            return firstElement(inner, facts, depth: depth + 1)
        }
        if n.type == "identifier", depth < 4, let latest = facts.latestValue(of: n.text, before: n), latest != n,
           let element = firstElement(latest, facts, depth: depth + 1) {
            return element
        }
        // A parameter of a builder (`def build(..., adam_betas=(0.9, 0.99))`, read in the Adam call or in a lambda
        // inside it): what the callers pass comes before the signature's default.
        if n.type == "identifier", depth < 4, facts.parameterOwner(of: n)?.parameters.contains(n.text) == true,
           let element = facts.callerArguments(of: n).lazy.compactMap({ firstElement($0, facts, depth: depth + 1) }).first {
            return element
        }
        // A field of the instance (`self.adam_betas`): what it holds for the classes built (a mixin's class attribute
        // before its base's, see `PythonFacts.origins`).
        if n.type == "attribute", n.child(byField: "object")?.text == "self", depth < 4,
           let element = facts.origins(of: n).lazy.filter({ $0 != n }).compactMap({ firstElement($0, facts, depth: depth + 1) }).first {
            return element
        }
        guard depth < 4, let name = SettingsTable.bareName(of: n) else { return nil }
        for setting in facts.allSettings.settings(name) where setting.value != n {
            if let element = firstElement(setting.value, facts, depth: depth + 1) { return element }
        }
        return nil
    }
}
