import Parsing
import TreeSitterKit

/// `fused_adamw`: an Adam or AdamW optimizer is built with the fused CUDA kernel (`fused=True`).
///
/// Requires an `AdamW` / `Adam` constructor (any import alias), or torch's functional form run every step
/// (`torch.optim.adamw.adamw(params, grads, ..., fused=True)`), whose `fused` argument is on: the literal, a config
/// field / argparse default / constant set to True (also a `store_false` flag, on by default), an entry of a
/// dictionary unpacked into the call (also one chosen by a condition, read by a string key, `**hp["adamw_kwargs"]`, or
/// copied, `**dict(kw)`), or the nanoGPT condition `fused_available and
/// device_type == "cuda"` / `torch.cuda.is_available()`, which holds on the benchmark's GPUs; or a
/// `functools.partial(torch.optim.AdamW, ..., fused=True)` factory that the script uses. Rejects `foreach=True`,
/// `fused=False` or no `fused`, and `fused=True` given to another optimizer or call. Examples:
/// `queries/python/fused_adamw/examples/`.
struct FusedAdamw: Detector {
    let id = "fused_adamw"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = facts.optimizers.filter(\.family.isAdamFamily).compactMap { optimizer in
            let fused = fusedArguments(optimizer.call, facts)
            guard fused.contains(where: { enabled($0, facts, depth: 0) }) else { return nil }
            return facts.evidence(optimizer.call.node, "Adam-family optimizer with fused=True")
        }
        // An optimizer factory: `make_opt = functools.partial(torch.optim.AdamW, ..., fused=True)`, used later.
        for call in facts.calls where call.callee == "functools.partial" {
            guard let target = call.positional.first, ["torch.optim.AdamW", "torch.optim.Adam"].contains(facts.imports.qualifiedName(of: target) ?? ""),
                  fusedArguments(call, facts).contains(where: { enabled($0, facts, depth: 0) }),
                  let assignment = facts.ancestors(of: call.node).first(where: { $0.type == "assignment" }),
                  let name = assignment.child(byField: "left").flatMap(SettingsTable.bareName(of:)),
                  facts.isReferenced(name, outside: assignment) else { continue }
            evidence.append(facts.evidence(call.node, "Adam-family optimizer factory with fused=True"))
        }
        return evidence
    }

    /// The default of an argparse flag read as `args.<name>` that has no `default=`: True for
    /// `action="store_false"`, False for `action="store_true"`; nil when there is no such flag.
    func flagDefault(_ name: String, _ facts: PythonFacts) -> Bool? {
        for call in facts.calls where call.name == "add_argument" && call.keywords["default"] == nil {
            guard let action = call.keywords["action"].flatMap(SettingsTable.stringValue), ["store_true", "store_false"].contains(action),
                  let flag = call.positional.compactMap(SettingsTable.stringValue).first(where: { $0.hasPrefix("--") }) else { continue }
            let dest = call.keywords["dest"].flatMap(SettingsTable.stringValue)
                ?? String(flag.drop(while: { $0 == "-" })).replacingOccurrences(of: "-", with: "_")
            if dest == name { return action == "store_false" }
        }
        return nil
    }

    /// The expressions a call may pass as `fused`: the keyword, or the entry of a `**kwargs` dictionary (every
    /// branch of `dict(fused=True) if use_fused else dict()` whose condition holds).
    func fusedArguments(_ call: CallSite, _ facts: PythonFacts) -> [Node] {
        if let value = call.keywords["fused"] { return [value] }
        guard let arguments = call.node.child(byField: "arguments") else { return [] }
        var result: [Node] = []
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let source = splat.namedChildren.first else { continue }
            for dictionary in dictionaries(source, facts, depth: 0) {
                if let entry = OptimizerUse.entry("fused", in: dictionary) { result.append(entry) }
            }
        }
        return result
    }

    func dictionaries(_ node: Node, _ facts: PythonFacts, depth: Int) -> [Node] {
        guard depth < 4 else { return [] }
        let n = facts.unparenthesized(node)
        switch n.type {
        case "dictionary":
            return [n]
        case "call":
            // `dict(base, ...)`: its own keywords, then the copied dictionary's entries.
            let call = facts.callSite(n)
            guard call.callee == "dict" else { return [] }
            return [n] + (call.positional.first.map { dictionaries($0, facts, depth: depth + 1) } ?? [])
        case "conditional_expression":
            let parts = n.namedChildren
            guard parts.count == 3 else { return [] }
            return enabled(parts[1], facts, depth: 0) ? dictionaries(parts[0], facts, depth: depth + 1) : dictionaries(parts[2], facts, depth: depth + 1)
        case "identifier", "attribute", "subscript":
            // A subscript by a string key reads the entry of that name (`hp["adamw_kwargs"]`, see `bareName`).
            var values: [Node] = []
            if n.type == "identifier", let local = facts.latestValue(of: n.text, before: n) { values.append(local) }
            if values.isEmpty, let name = SettingsTable.bareName(of: n) {
                values = facts.allSettings.settings(name).map(\.value).filter { !facts.isInside(n, $0) }
            }
            return values.flatMap { dictionaries($0, facts, depth: depth + 1) }
        default:
            return []
        }
    }

    /// Whether a flag is on when the script runs on the benchmark's CUDA devices.
    func enabled(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        guard depth < 5 else { return false }
        let n = facts.unparenthesized(node)
        switch n.type {
        case "true": return true
        case "false", "none": return false
        case "boolean_operator":
            guard let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return false }
            let a = enabled(l, facts, depth: depth + 1), b = enabled(r, facts, depth: depth + 1)
            return n.child(byField: "operator")?.type == "and" ? a && b : a || b
        case "comparison_operator":
            // device_type == "cuda", "fused" in inspect.signature(AdamW).parameters
            let operators = n.children.filter { !$0.isNamed }.map(\.type)
            if operators == ["=="], n.namedChildren.contains(where: { facts.string(of: $0)?.hasPrefix("cuda") == true }) { return true }
            if operators == ["in"], n.namedChildren.first.flatMap(SettingsTable.stringValue) == "fused" { return true }
            // A configured choice compared with a literal: `impl == "fused"` where `impl` is set to "fused".
            let sides = n.namedChildren
            if operators == ["=="] || operators == ["!="], sides.count == 2,
               let a = facts.string(of: sides[0]), let b = facts.string(of: sides[1]) {
                return (a == b) == (operators == ["=="])
            }
            return false
        case "call":
            let call = facts.callSite(n)
            if call.callee == "torch.cuda.is_available" { return true }
            return facts.value(of: n).map { $0.double != 0 } ?? false
        case "identifier", "attribute", "subscript":
            if let v = facts.value(of: n) { return v.double != 0 }
            if n.type == "attribute", let name = SettingsTable.bareName(of: n), let flag = flagDefault(name, facts) { return flag }
            var values: [Node] = []
            if n.type == "identifier", let local = facts.latestValue(of: n.text, before: n) { values.append(local) }
            if let name = SettingsTable.bareName(of: n) {
                values += facts.allSettings.settings(name).filter { $0.source != .parameterDefault }.map(\.value)
            }
            return values.contains { $0 != n && !facts.isInside(n, $0) && enabled($0, facts, depth: depth + 1) }
        default:
            return facts.value(of: n).map { $0.double != 0 } ?? false
        }
    }
}
