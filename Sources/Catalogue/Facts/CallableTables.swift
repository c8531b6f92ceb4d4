import Parsing
import TreeSitterKit

/// Tables of callables: dictionaries and sequences of functions, lambdas or modules that code calls through a loop
/// (`for name, fn in self.logit_transforms.items(): logits = fn(logits)`) or by a key it does not know (`ops[kind](x)`).
extension PythonFacts {
    /// The callables a call may run when its callee is an entry of a table written out: the value variable of a loop
    /// over `d.items()` / `d.values()`, the variable of a loop over a sequence of callables (or of `(name, fn)` pairs),
    /// or `d[k]` with a key the file does not fix. Each entry is the expression written for it (a lambda, a function's
    /// name, a module construction). Nil when the callee is none of these or the table is not written out.
    public func tableCallables(_ call: CallSite) -> [Node]? {
        guard let function = call.function.map(unparenthesized) else { return nil }
        if function.type == "subscript", let container = function.child(byField: "value") {
            return tableValues(container, depth: 0)
        }
        guard function.type == "identifier" else { return nil }
        for binding in dataflow.bindings(of: function.text, at: function) {
            guard case .iteration(let place) = binding.kind,
                  let iterable = binding.site.child(byField: "right").map(unwrapped) else { continue }
            if iterable.type == "call", case let loop = callSite(iterable), loop.positional.isEmpty, let container = loop.receiver {
                if loop.name == "values" || (loop.name == "items" && place == 1) { return tableValues(container, depth: 0) }
            }
            guard let items = writtenItems(iterable, depth: 0) ?? tableEntries(iterable, depth: 0) else { continue }
            if place == nil { return items }
            // `for name, fn in (("fp32", f), ("cap", g))`: the element at the place the variable takes.
            return items.compactMap { item in
                let pair = unwrapped(item)
                guard ["tuple", "list"].contains(pair.type), let place, case let parts = pair.namedChildren.filter({ $0.type != "comment" }),
                      place < parts.count else { return nil }
                return parts[place]
            }
        }
        return nil
    }

    /// The values of a dictionary written out (see `PythonFacts.writtenEntries`).
    func tableValues(_ node: Node, depth: Int) -> [Node]? {
        writtenEntries(node, depth: depth).map { $0.map(\.value) }
    }

    /// One way a call of a table's entry runs in a loop over keys (see `keyedRuns`): the loop variable and the key it
    /// takes, the loop (where that binding holds), and for a loop over `d.items()` the value variable and the entry of
    /// `d` it takes for the key.
    public struct KeyedRun {
        public let variable: String
        public let key: String
        public let scope: Node
        public let value: (variable: String, entry: Node)?
    }

    /// For a call of a table's entry made once per key of a loop or comprehension whose keys are written out, the key
    /// choosing the entry (`builders[kinds[n]](...)` in `{n: ... for n, g in groups.items()}`, or `make[spec["kind"]](...)`
    /// in `for n, spec in cfg["optim"].items()`): the runs whose choice is `entry` (a lambda or function of the file
    /// the table holds). Nil when the call is not made that way or some key's choice cannot be read.
    public func keyedRuns(of call: CallSite, selecting entry: Node) -> [KeyedRun]? {
        guard let function = call.function.map(unparenthesized), function.type == "subscript",
              let table = function.child(byField: "value"), let choice = function.child(byField: "subscript") else { return nil }
        for variable in ([choice] + descendants(of: choice)).filter({ $0.type == "identifier" }) {
            guard let binding = dataflow.bindings(of: variable.text, at: variable).first(where: { b in
                if case .iteration = b.kind { return ["for_statement", "for_in_clause"].contains(b.site.type) } else { return false }
            }), case .iteration(let place) = binding.kind else { continue }
            let site = binding.site
            let scope = site.type == "for_in_clause" ? (site.parent ?? site) : site
            // The loop's key variable, and for `d.items()` its value variable and `d`.
            var keyVariable = variable.text
            var valued: (variable: String, container: Node)?
            if place != nil, let target = site.child(byField: "left"), case let names = target.namedChildren.filter({ $0.type == "identifier" }),
               names.count == 2, let iterable = site.child(byField: "right").map(unwrapped), iterable.type == "call",
               callSite(iterable).name == "items", let container = callSite(iterable).receiver {
                keyVariable = names[0].text
                valued = (names[1].text, container)
            }
            guard let keys = loopKeys(site, keyVariable) else { continue }
            var runs: [KeyedRun] = []
            for key in keys {
                let entryOf = valued.flatMap { keyedEntries($0.container, key: key, depth: 0)?.first }
                if valued != nil, entryOf == nil { return nil }
                guard let chosen = keyedString(choice, keyVariable: keyVariable, key: key,
                                               value: valued.flatMap { v in entryOf.map { (v.variable, $0) } }),
                      let held = keyedEntries(table, key: chosen, depth: 0) else { return nil }
                if held.contains(where: { denotes($0, entry) }) {
                    runs.append(KeyedRun(variable: keyVariable, key: key, scope: scope,
                                         value: valued.flatMap { v in entryOf.map { (v.variable, $0) } }))
                }
            }
            return runs
        }
        return nil
    }

    /// The string a key expression gives in one run: the key variable is the key; a read of a table written out by a
    /// string (`kinds[n]`, `spec["kind"]` with `spec` the run's entry) is the string that entry holds; else what the
    /// interpreter computes with the key bound.
    private func keyedString(_ node: Node, keyVariable: String, key: String, value: (variable: String, entry: Node)?) -> String? {
        let n = unwrapped(node)
        if n.type == "identifier", n.text == keyVariable { return key }
        if let literal = SettingsTable.stringValue(n) { return literal }
        if n.type == "subscript" {
            return keyedTable(n, keyVariable: keyVariable, key: key, value: value).flatMap { SettingsTable.stringValue(unwrapped($0)) }
        }
        guard value.map({ !mentions(n, $0.variable) }) ?? true,
              case .string(let text)? = ScriptInterpreter(self).value(of: n, env: [keyVariable: .string(key)]) else { return nil }
        return text
    }

    /// The expression a chain of reads of tables written out gives in one run (see `keyedString`): `cfg["optim"][n]`
    /// with `n` at "muon" is the entry "muon" of the entry "optim" of `cfg`; the loop's value variable is its entry.
    private func keyedTable(_ node: Node, keyVariable: String, key: String, value: (variable: String, entry: Node)?, depth: Int = 0) -> Node? {
        guard depth < 6 else { return nil }
        let n = unwrapped(node)
        if n.type == "identifier", n.text == value?.variable { return value?.entry }
        guard n.type == "subscript", let base = n.child(byField: "value"), let index = n.child(byField: "subscript") else { return n }
        guard let picked = keyedString(index, keyVariable: keyVariable, key: key, value: value),
              let table = keyedTable(base, keyVariable: keyVariable, key: key, value: value, depth: depth + 1),
              let held = keyedEntries(table, key: picked, depth: 0), held.count == 1 else { return nil }
        return held[0]
    }

    /// Whether an expression a table holds is a lambda or function of the file: written there, or its name.
    func denotes(_ value: Node, _ entry: Node) -> Bool {
        let v = unwrapped(value)
        if v == entry { return true }
        guard v.type == "identifier" else { return false }
        if entry.type == "function_definition", entry.child(byField: "name")?.text == v.text { return true }
        return dataflow.bindings(of: v.text, at: v).contains { $0.node == entry }
    }

    /// For a call of an entry of a dictionary of callables read by a key the walk knows (`self.head_norm[role](t)` or
    /// `norm(t)` in `for role, norm in self.head_norm.items()`, with `role` standing for "q"), the entries it calls:
    /// the value written for that key. Otherwise, for a read of a registry by a key the file decides (see
    /// `selectedTableEntries`: `INIT[spec["head"]["init"]](w)` with the spec's `"init": "zero"`), also through a name or
    /// a field every value of which is such a read (`self.embed_norm = NORMS[spec["embed"]["norm"]]`, then
    /// `self.embed_norm(x)`), the entries the key selects. Nil when the call is not of such an entry.
    public func keyedCallees(_ call: CallSite, keys: [String: String]) -> [Node]? {
        guard let function = call.function.map(unparenthesized) else { return nil }
        var container: Node?, key: String?
        if function.type == "subscript", let index = function.child(byField: "subscript").map(unwrapped) {
            container = function.child(byField: "value")
            key = SettingsTable.stringValue(index) ?? (index.type == "identifier" ? keys[index.text] : nil)
        } else if function.type == "identifier", !keys.isEmpty, let keyed = keyedBinding(of: function, keys: keys, flow: dataflow) {
            container = keyed.node
            key = keyed.wanted
        }
        if let container, let key { return keyedEntries(container, key: key, depth: 0) }
        // A registry read by a decided key, in place or held first.
        let reads = function.type == "subscript" ? [function]
            : ["identifier", "attribute"].contains(function.type) ? origins(of: function).map(unwrapped) : []
        guard !reads.isEmpty, reads.allSatisfy({ $0.type == "subscript" }) else { return nil }
        var entries: [Node] = []
        for read in reads {
            guard let selected = selectedTableEntries(read) else { return nil }
            entries += selected
        }
        return entries
    }
}
