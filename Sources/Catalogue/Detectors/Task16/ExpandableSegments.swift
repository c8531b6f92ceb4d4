import Foundation
import TreeSitterKit

/// `expandable_segments`: the CUDA caching allocator is configured with `expandable_segments:True`.
///
/// Requires code that hands the allocator a configuration whose comma-separated options include
/// `expandable_segments:True`: an assignment to `os.environ[<...ALLOC_CONF>]`, `os.environ.setdefault`,
/// `os.environ.__setitem__`, `os.environ.update`, `os.putenv`, or `torch.cuda.memory._set_allocator_settings(...)`,
/// also inside a helper that writes the key and value it is handed (`set_env = lambda k, v:
/// os.environ.__setitem__(k, v)`, then `set_env("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")`), read per
/// call. Keys and values are
/// folded from constants (f-strings, `",".join([...])`, module constants, `os.environ.get(key, default)`, the entry a
/// folded key picks from a dictionary: `os.environ[k] = CANDIDATES[choice]`), also
/// once per entry of a table of variables a loop walks (`for k, v in SPEC["env"].items(): os.environ[k] = v`, see
/// `PythonFacts.loopedEntries`), `str(obj)` of an object whose class renders its entries (`class
/// AllocatorSettings(dict)` with `__str__` returning `",".join(f"{k}:{v}" for k, v in self.items())`, built as
/// `AllocatorSettings(expandable_segments=True)`, see `PythonFacts.renderedObject`), and `os.environ.update` takes a
/// dictionary written there or held by a name or entry.
/// Rejects `expandable_segments:False`, other options only, and the text in comments, docstrings or strings
/// that never reach the environment or the allocator. Examples: `queries/python/expandable_segments/examples/`.
struct ExpandableSegments: Detector {
    let id = "expandable_segments"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for node in facts.nodes(ofType: "assignment") {
            guard let left = node.child(byField: "left"), left.type == "subscript",
                  let object = left.child(byField: "value"), isEnviron(object, facts),
                  let key = left.child(byField: "subscript"), let right = node.child(byField: "right"),
                  allocatorValues(key: key, value: right, facts).contains(where: { enables($0, facts) }) else { continue }
            evidence.append(facts.evidence(node, "allocator configured with expandable_segments:True"))
        }
        for call in facts.calls {
            var values: [Node] = []
            if call.name == "_set_allocator_settings" {
                values = Array(call.positional.prefix(1))
            } else if ["os.putenv", "os.environ.setdefault", "os.environ.__setitem__"].contains(call.callee) {
                if call.positional.count == 2 { values = allocatorValues(key: call.positional[0], value: call.positional[1], facts) }
            } else if call.callee == "os.environ.update" {
                for (key, value) in call.keywords where key.hasSuffix("ALLOC_CONF") { values.append(value) }
                // Written there or held by a name or a configuration entry (`os.environ.update(SPEC["env"])`).
                for dictionary in call.positional.first.map({ facts.dictionaries($0) }) ?? [] where dictionary.type == "dictionary" {
                    for pair in dictionary.namedChildren where pair.type == "pair" {
                        if let key = pair.child(byField: "key"), isAllocatorKey(key, facts), let value = pair.child(byField: "value") {
                            values.append(value)
                        }
                    }
                }
            }
            if values.contains(where: { enables($0, facts) }) {
                evidence.append(facts.evidence(call.node, "allocator configured with expandable_segments:True"))
            }
        }
        return evidence
    }

    /// The values an environment write gives the allocator's variable: `value` when `key` names it, else, for a key
    /// that is a loop variable over a table of variables, the allocator entry's value when `value` reads the entry
    /// (`for k, v in SPEC["env"].items(): os.environ[k] = v`, also `os.environ[k] = SPEC["env"][k]`). In a helper
    /// that writes what it is handed (`set_env = lambda k, v: os.environ.__setitem__(k, v)`, `def set_env(k, v):
    /// os.environ[k] = v`), a parameter reads as what each call passes (`PythonFacts.callerBindings`), key and value
    /// taken from the same call.
    func allocatorValues(key: Node, value: Node, _ facts: PythonFacts) -> [Node] {
        let passedValues = facts.callerBindings(of: facts.unwrapped(value))
        if isAllocatorKey(key, facts) { return [value] + passedValues.map(\.argument) }
        var values = facts.loopedEntries(key).filter { isAllocatorKey($0.key, facts) }.compactMap { facts.loopedValue(value, of: $0) }
        for (call, passedKey) in facts.callerBindings(of: facts.unwrapped(key)) where isAllocatorKey(passedKey, facts) {
            values.append(passedValues.first { $0.call.node == call.node }?.argument ?? value)
        }
        return values
    }

    func isEnviron(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.imports.qualifiedName(of: node) == "os.environ"
    }

    func isAllocatorKey(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.foldedString(node)?.hasSuffix("ALLOC_CONF") == true
    }

    /// Whether a configuration value turns expandable segments on (one of the texts it may hold, see `configurations`).
    func enables(_ node: Node, _ facts: PythonFacts) -> Bool {
        configurations(node, facts).contains { text in
            text.split(separator: ",").contains { option in
                let parts = option.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return parts.count == 2 && parts[0] == "expandable_segments" && parts[1].lowercased() == "true"
            }
        }
    }

    /// The texts a configuration value may hold: its folded text (`configuration`), or, for a value a helper computes
    /// before writing it, what it computes: a local's last value before the write, each side of a conditional the
    /// configuration does not decide (`f"{current},{option}" if current else option`), an f-string whose fields fold
    /// the same way, and a parameter as its callers pass it or by its default (`def ensure(option:
    /// str = "expandable_segments:True")` called as `ensure()`).
    func configurations(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> [String] {
        let n = facts.unwrapped(node)
        // A parameter holds what its callers pass (its default only where a call leaves it out), not its default alone.
        let parameter = n.type == "identifier" ? facts.parameterOwner(of: n).flatMap { facts.isReassigned(n.text, in: $0) ? nil : $0 } : nil
        if parameter == nil, let text = configuration(n, facts) { return [text] }
        guard depth < 5 else { return [] }
        switch n.type {
        case "conditional_expression":
            guard let parts = facts.conditionalParts(n) else { return [] }
            if let holds = facts.truth(of: parts.test) { return configurations(holds ? parts.value : parts.alternative, facts, depth: depth + 1) }
            return configurations(parts.value, facts, depth: depth + 1) + configurations(parts.alternative, facts, depth: depth + 1)
        case "identifier":
            if parameter == nil, let value = facts.latestValue(of: n.text, before: n), value != n { return configurations(value, facts, depth: depth + 1) }
            guard let owner = parameter else { return [] }
            var given = facts.callerArguments(of: n)
            if let fallback = facts.parameterDefault(in: owner.node, n.text),
               given.isEmpty || facts.calls(named: owner.name).contains(where: { $0.argument(n.text, position: owner.passedParameters.firstIndex(of: n.text) ?? -1) == nil }) {
                given.append(fallback)
            }
            return given.flatMap { configurations($0, facts, depth: depth + 1) }
        case "string":
            // The fields' first readings: an f-string is one text per run.
            let text = facts.stringLiteral(n) { field in self.configurations(field, facts, depth: depth + 1).first }
            return text.map { [$0] } ?? []
        default:
            return []
        }
    }

    /// The folded text of a configuration value; `os.environ.get(key, default)` and `os.getenv` read as their
    /// default (the variable is unset in a fresh job).
    func configuration(_ node: Node, _ facts: PythonFacts) -> String? {
        if let text = facts.foldedString(node) { return text }
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "+",
           let left = node.child(byField: "left"), let right = node.child(byField: "right"),
           let l = configuration(left, facts), let r = configuration(right, facts) {
            return l + r
        }
        if node.type == "call" {
            let call = facts.callSite(node)
            if call.name == "get" || call.callee == "os.getenv", call.positional.count == 2 {
                return facts.foldedString(call.positional[1])
            }
        }
        return nil
    }
}
