import Parsing
import TreeSitterKit

/// Dictionaries the file writes out and reads by key: the keys a loop walks, the entry a key reads, the writes of a key
/// before a read. The lineage walk (`Lineage.swift`), tables of callables (`CallableTables.swift`) and the value and
/// token-table flows read keyed containers through these.
extension PythonFacts {
    /// The keys a loop or comprehension variable walks when they are written out (see `loopKeys`).
    func iteratedKeys(_ variable: Node, flow: Dataflow) -> [String]? {
        for binding in flow.bindings(of: variable.text, at: variable) {
            guard case .iteration = binding.kind, ["for_statement", "for_in_clause"].contains(binding.site.type) else { continue }
            return loopKeys(binding.site, variable.text)
        }
        return nil
    }

    /// The string keys a loop or comprehension clause binds `variable` to, when they are written out: the strings of a
    /// sequence it walks (`for r in ("q", "k")`, `for r in self.ROTATED` with a class tuple), or the keys of a
    /// dictionary written out whose `items()` / `keys()` it walks (`for role, norm in self.head_norm.items()`). Nil
    /// otherwise.
    func loopKeys(_ loop: Node, _ variable: String) -> [String]? {
        guard let target = loop.child(byField: "left").map(unparenthesized),
              let iterable = loop.child(byField: "right").map(unwrapped) else { return nil }
        if target.type == "identifier", target.text == variable {
            if iterable.type == "call", case let call = callSite(iterable), call.name == "keys", call.positional.isEmpty,
               let container = call.receiver {
                return writtenKeys(container, depth: 0)
            }
            guard let items = writtenItems(iterable, depth: 0) ?? tableEntries(iterable, depth: 0) else { return nil }
            let strings = items.compactMap { SettingsTable.stringValue(unwrapped($0)) }
            return strings.count == items.count ? strings : nil
        }
        guard ["pattern_list", "tuple_pattern"].contains(target.type), target.namedChildren.first?.text == variable,
              iterable.type == "call", case let call = callSite(iterable), call.name == "items", call.positional.isEmpty,
              let container = call.receiver else { return nil }
        return writtenKeys(container, depth: 0)
    }

    /// The keys of a dictionary written out where it is made (a literal with string keys, `dict(k=...)`,
    /// `OrderedDict(k=...)`, a comprehension over strings written out, a module dictionary with keys written out), also
    /// through a name or field set once. Nil otherwise.
    func writtenKeys(_ node: Node, depth: Int) -> [String]? {
        guard depth < 4 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "identifier", "attribute":
            if n.type == "attribute", let entries = keyedModuleDictEntries(n) { return entries.map(\.key) }
            return heldTable(n).flatMap { writtenKeys($0, depth: depth + 1) }
        case "subscript":
            return literalEntry(n).flatMap { writtenKeys($0, depth: depth + 1) }
        case "dictionary":
            var keys: [String] = []
            for pair in n.namedChildren where pair.type != "comment" {
                guard pair.type == "pair", let key = pair.child(byField: "key").flatMap({ SettingsTable.stringValue(unwrapped($0)) }) else { return nil }
                keys.append(key)
            }
            return keys
        case "dictionary_comprehension":
            guard let variable = n.child(byField: "body")?.child(byField: "key"), variable.type == "identifier",
                  let clause = n.namedChildren.first(where: { $0.type == "for_in_clause" }) else { return nil }
            return loopKeys(clause, variable.text)
        case "call":
            let call = callSite(n)
            if ["torch.nn.ModuleDict", "torch.nn.ParameterDict"].contains(call.torchCallee) {
                return call.positional.first.flatMap { writtenKeys($0, depth: depth + 1) }
            }
            guard ["dict", "OrderedDict", "collections.OrderedDict"].contains(call.callee), call.positional.isEmpty else { return nil }
            return call.keywords.sorted { $0.value.startByte < $1.value.startByte }.map(\.key)
        default:
            return nil
        }
    }

    /// The one expression a name or field holds where it is read: a local's latest assignment before the read, else
    /// the one setting of the name in the file (`self.head_norm = {...}`, a module constant). Nil when there are several.
    func heldTable(_ reference: Node) -> Node? {
        if reference.type == "identifier", let value = latestValue(of: reference.text, before: reference) { return value }
        guard let name = SettingsTable.bareName(of: reference) else { return nil }
        let values = allSettings.settings(name).filter { $0.source != .parameterDefault }.map(\.value)
        return values.count == 1 ? values[0] : nil
    }

    /// The entry a read of a table written out by a string key gives (`cfg["optim"]`: the entry "optim" of `cfg`). Nil
    /// when the key is no string or the table holds no single such entry.
    func literalEntry(_ read: Node) -> Node? {
        guard read.type == "subscript", let table = read.child(byField: "value"),
              let key = read.child(byField: "subscript").flatMap({ SettingsTable.stringValue(unwrapped($0)) }),
              let held = keyedEntries(table, key: key, depth: 1), held.count == 1 else { return nil }
        return held[0]
    }

    /// The values a dictionary written out holds under `key` (a literal, `dict(...)`, a comprehension's one value), also
    /// through a name or field set once.
    func keyedEntries(_ node: Node, key: String, depth: Int) -> [Node]? {
        guard depth < 4 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "identifier", "attribute":
            return heldTable(n).flatMap { keyedEntries($0, key: key, depth: depth + 1) }
        case "subscript":
            return literalEntry(n).flatMap { keyedEntries($0, key: key, depth: depth + 1) }
        case "dictionary":
            return n.namedChildren.compactMap { pair in
                pair.type == "pair" && pair.child(byField: "key").flatMap({ SettingsTable.stringValue(unwrapped($0)) }) == key
                    ? pair.child(byField: "value") : nil
            }
        case "dictionary_comprehension":
            return (n.child(byField: "body")?.child(byField: "value")).map { [$0] }
        case "call" where ["dict", "OrderedDict", "collections.OrderedDict"].contains(callSite(n).callee):
            return callSite(n).keywords[key].map { [$0] }
        case "call" where ["torch.nn.ModuleDict", "torch.nn.ParameterDict"].contains(callSite(n).torchCallee):
            // A module or parameter dictionary: the entries of the mapping it is built from.
            return callSite(n).positional.first.flatMap { keyedEntries($0, key: key, depth: depth + 1) }
        default:
            return nil
        }
    }

    /// The writes of a key into a dictionary made before `read`, each with the key variable it is written under
    /// standing for `key`: `d["q"] = ...`, `d[role] = ...` in a loop whose keys (when written out) include "q",
    /// `d.update(q=...)`, and `d.update({r: ... for r in ("q", "k")})`.
    func keyedWrites(_ key: String, into container: Node, before read: Node) -> [(node: Node, binding: [String: String])] {
        var writes: [(node: Node, binding: [String: String])] = []
        for write in dictionaryWrites(key, into: container, computedKeys: true) where write.endByte <= read.startByte {
            guard let assignment = write.parent, assignment.type == "assignment",
                  let written = assignment.child(byField: "left")?.child(byField: "subscript").map(unwrapped),
                  written.type == "identifier" else {
                writes.append((write, [:]))
                continue
            }
            // Under a loop variable: only when the loop's keys may include this one.
            if let loop = enclosingLoops(assignment).first(where: { loopVariables($0).contains(written.text) }),
               let walked = loopKeys(loop, written.text) {
                if walked.contains(key) { writes.append((write, [written.text: key])) }
                continue
            }
            writes.append((write, [:]))
        }
        let target = unwrapped(container)
        guard target.type == "identifier" else { return writes }
        let scope = enclosingFunction(read)?.node
        for call in calls(named: "update") where call.receiver?.text == target.text && call.node.endByte <= read.startByte
            && enclosingFunction(call.node)?.node == scope {
            guard let comprehension = call.positional.first.map(unwrapped), comprehension.type == "dictionary_comprehension",
                  let pair = comprehension.child(byField: "body"), let variable = pair.child(byField: "key"), variable.type == "identifier",
                  let value = pair.child(byField: "value"),
                  let clause = comprehension.namedChildren.first(where: { $0.type == "for_in_clause" }),
                  loopKeys(clause, variable.text)?.contains(key) == true else { continue }
            writes.append((value, [variable.text: key]))
        }
        return writes
    }
}
