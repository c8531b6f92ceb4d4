import Parsing
import TreeSitterKit

/// Dictionaries the file writes out and reads by key: the keys a loop walks, the entry a key reads, the writes of a key
/// before a read. The lineage walk (`Lineage.swift`), tables of callables (`CallableTables.swift`) and the value and
/// token-table flows read keyed containers through these.
extension PythonFacts {
    /// The function or lambda a name is a parameter of where it is read (its innermost binding), or nil.
    func parameterHolder(of name: Node) -> Node? {
        guard let binding = dataflow.bindings(of: name.text, at: name).first, case .parameter = binding.kind else { return nil }
        return binding.node
    }

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

    /// The keys of a dictionary written out where it is made (see `writtenEntries`), when every key is known. Nil
    /// otherwise.
    func writtenKeys(_ node: Node, depth: Int) -> [String]? {
        guard let entries = writtenEntries(node, depth: depth) else { return nil }
        let keys = entries.compactMap(\.key)
        return keys.count == entries.count ? keys : nil
    }

    /// The entries of a dictionary written out where it is made, each with its key (nil: a comprehension's one value
    /// for keys not known): a literal with string keys, `dict(k=...)` / `OrderedDict(k=...)`, `OrderedDict([("k", v),
    /// ...])`, a comprehension (over keys written out, see `loopKeys`, each key with the comprehension's value), a module
    /// or parameter dictionary built from one, a read of such a table by a string key (`cfg["optim"]`), also through a
    /// name or field set once (see `heldTable`). Nil when the expression is none of these or a key is no string.
    func writtenEntries(_ node: Node, depth: Int) -> [(key: String?, value: Node)]? {
        guard depth < 4 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "identifier", "attribute":
            // A module dictionary on `self` as the reading class sets it (several classes may set a field of that name).
            if n.type == "attribute", let entries = keyedModuleDictEntries(n) { return entries.map { ($0.key, $0.value) } }
            return heldTable(n).flatMap { writtenEntries($0, depth: depth + 1) }
        case "subscript":
            return literalEntry(n).flatMap { writtenEntries($0, depth: depth + 1) }
        case "dictionary":
            var entries: [(key: String?, value: Node)] = []
            for pair in n.namedChildren where pair.type != "comment" {
                guard pair.type == "pair", let key = pair.child(byField: "key").flatMap({ SettingsTable.stringValue(unwrapped($0)) }),
                      let value = pair.child(byField: "value") else { return nil }
                entries.append((key, value))
            }
            return entries
        case "dictionary_comprehension":
            guard let pair = n.child(byField: "body"), let value = pair.child(byField: "value") else { return nil }
            if let variable = pair.child(byField: "key"), variable.type == "identifier",
               let clause = n.namedChildren.first(where: { $0.type == "for_in_clause" }),
               let keys = loopKeys(clause, variable.text) {
                return keys.map { ($0, value) }
            }
            return [(nil, value)]
        case "call":
            let call = callSite(n)
            if ["torch.nn.ModuleDict", "torch.nn.ParameterDict"].contains(call.torchCallee) {
                return call.positional.first.flatMap { writtenEntries($0, depth: depth + 1) }
            }
            guard ["dict", "OrderedDict", "collections.OrderedDict"].contains(call.callee) else { return nil }
            if call.positional.isEmpty {
                return call.keywords.sorted { $0.value.startByte < $1.value.startByte }.map { ($0.key, $0.value) }
            }
            guard call.positional.count == 1, call.keywords.isEmpty, let pairs = writtenItems(call.positional[0], depth: 0) else { return nil }
            var entries: [(key: String?, value: Node)] = []
            for item in pairs {
                let pair = unwrapped(item)
                let parts = pair.namedChildren.filter { $0.type != "comment" }
                guard ["tuple", "list"].contains(pair.type), parts.count == 2,
                      let key = SettingsTable.stringValue(unwrapped(parts[0])) else { return nil }
                entries.append((key, parts[1]))
            }
            return entries
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

    /// The values a dictionary written out holds under `key` (see `writtenEntries`; a comprehension's value for keys
    /// not known stands for every key).
    func keyedEntries(_ node: Node, key: String, depth: Int) -> [Node]? {
        writtenEntries(node, depth: depth).map { entries in entries.filter { $0.key == nil || $0.key == key }.map(\.value) }
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
