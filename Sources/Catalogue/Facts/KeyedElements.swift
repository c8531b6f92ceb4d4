import Parsing
import TreeSitterKit

/// Objects kept in a dictionary by name and read back by that name: `opts = {"adam": Adam(...), "ortho": Muon(...)}`
/// then `opts["ortho"].param_groups`, or a dictionary a builder fills (`opts[name] = Muon(...)` for the rows of a
/// table it walks) and returns.
extension PythonFacts {
    /// The one value stored under the string key of `read` (`opts["ortho"]`, `optimizer_map[KEY]`): the entry of the
    /// dictionary literal or `dict(...)` the name was last set to (see `dictionaries`), else the value of the one write under that
    /// key (`storedEntries`). A dictionary an object keeps in a field (`state.optimizer.named["hidden"]`) is read through
    /// what the field may hold (`origins(of:)`) or, failing that, the names the object's constructions are handed for it.
    /// Nil when the key is no string, or no write or several writes may store it.
    func keyedElement(_ read: Node) -> Node? {
        let n = unwrapped(read)
        guard n.type == "subscript", let container = n.child(byField: "value"), let index = n.child(byField: "subscript"),
              let key = string(of: index) else { return nil }
        var held = unwrapped(container)
        if held.type == "identifier", let value = latestValue(of: held.text, before: held) { held = value }
        let written = entries(key, in: held)
        if !written.isEmpty { return written.count == 1 ? written[0] : nil }
        // A field holding a dictionary an object was handed (`self.named = named` in `MultiOptimizer(named)`, read as
        // `state.optimizer.named["hidden"]`): the entry of what the field may hold.
        if held.type == "attribute" {
            var found: [Node] = []
            for origin in origins(of: held).map(unwrapped) {
                found += dictionaries(origin).compactMap { OptimizerUse.entry(key, in: $0) }
                // Entries written into the name the dictionary was made under (`named = {...}; named["hidden"] = ...`), or
                // into the name handed over (`MultiOptimizer(named)`).
                if origin.type == "identifier" {
                    found += storedEntries(origin, key: key)
                } else if let assignment = origin.parent, assignment.type == "assignment", let name = assignment.child(byField: "left"),
                          name.type == "identifier" {
                    found += storedEntries(name, key: key)
                }
            }
            // A field set from a constructor parameter (`self.named = named`), when the object cannot be followed to its
            // construction (a callback's `state` argument): the names its constructions are handed, by the field's name.
            if found.isEmpty, let field = SettingsTable.bareName(of: held) {
                for setting in allSettings.settings(field) where setting.written.hasPrefix("self.") {
                    let value = unwrapped(setting.value)
                    guard value.type == "identifier", parameterOwner(of: value) != nil else { continue }
                    for handed in callerArguments(of: value).map(unwrapped) where handed.type == "identifier" {
                        found += storedEntries(handed, key: key)
                    }
                }
            }
            found = Self.distinct(found)
            if !found.isEmpty { return found.count == 1 ? found[0] : nil }
        }
        let stored = storedEntries(container, key: key)
        return stored.count == 1 ? stored[0] : nil
    }

    /// The nodes in their first order, each once.
    static func distinct(_ nodes: [Node]) -> [Node] {
        var seen = Set<Node>()
        return nodes.filter { seen.insert($0).inserted }
    }

    /// The values written under `key` into the dictionary a name holds: by `name[key] = value` in the name's own scope,
    /// or, for a name set to what a function of the file returns (`optimizer_map = build_optimizers(model, args)`),
    /// by writes into the name that function returns (`opts[name] = ...; return opts`). A write whose key is a loop
    /// variable counts for each row of the loop's table (see `loopRows`) that gives the variable this key and whose tests
    /// reach the write (`if spec["kind"] == "muon": opts[name] = Muon(...) else: opts[name] = Adam(...)`, with `spec`
    /// looked up by the row's key, see `withLookedUpRecords` and `loopRowReaches`); a write with any other key may store
    /// anything and counts too.
    func storedEntries(_ container: Node, key: String) -> [Node] {
        let holder = unwrapped(container)
        guard holder.type == "identifier" else { return [] }
        var places: [(name: String, scope: Node)] = []
        if let value = latestValue(of: holder.text, before: holder).map(unwrapped), value.type == "call" {
            for function in targets(of: callSite(value)) {
                for returned in returnedValues(function).map(unwrapped) where returned.type == "identifier" {
                    places.append((returned.text, function.node))
                }
            }
        } else {
            places.append((holder.text, enclosingFunction(holder)?.node ?? root))
        }
        var stored: [Node] = []
        for (name, scope) in places {
            for write in descendants(of: scope) where write.type == "assignment" {
                guard let left = write.child(byField: "left"), left.type == "subscript", left.child(byField: "value")?.text == name,
                      let index = left.child(byField: "subscript").map(unwrapped), let value = write.child(byField: "right") else { continue }
                if let written = string(of: index) {
                    if written == key { stored.append(value) }
                    continue
                }
                guard index.type == "identifier", let loop = bindingLoop(of: index.text, at: index), let rows = loopRows(loop) else {
                    stored.append(value)
                    continue
                }
                for table in rows {
                    guard case .string(key)? = rowEnvironment(table)[index.text] else { continue }
                    let row = withLookedUpRecords(table, loop: loop, before: write)
                    if loopRowReaches(write, loop: loop, row: row) { stored.append(value) }
                }
            }
        }
        return stored
    }
}
