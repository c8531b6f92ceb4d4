import Parsing
import TreeSitterKit

/// One row of a literal table a loop walks, as the loop's variables see it: `for g, rx, cls in ROUTES` over
/// `[("embed", r"^wte\.", "Adam"), ...]` gives `g`, `rx` and `cls` that row's elements; `for k, spec in T.items()`
/// gives `k` the entry's key and `spec` its value.
public struct LoopRow {
    /// The row: the tuple (or other item) of a sequence, or the value of a dictionary's entry.
    public let item: Node
    /// The node each loop variable holds in this row, by name.
    public let names: [String: Node]
}

/// Loops over literal tables: which row each loop variable takes, so that a construction or a test made once per
/// row is read with that row's strings and numbers.
extension PythonFacts {
    /// The rows a `for` statement or a comprehension's `for` clause walks: the items of a list or tuple the file writes
    /// (see `listItems`; each unpacked into the loop's names when there are several), or the entries of a dictionary
    /// literal (or `dict(...)` call, its keywords' names as keys; also one a helper of the file returns) walked by `.items()` (key and value), `.values()` or by itself (its keys). Nil when the iterable is no
    /// such table, or a row does not unpack into the loop's names.
    public func loopRows(_ loop: Node) -> [LoopRow]? {
        guard let left = loop.child(byField: "left"), let right = loop.child(byField: "right").map(unwrapped) else { return nil }
        let targets = ["pattern_list", "tuple_pattern"].contains(left.type) ? left.namedChildren : [left]
        var source = right
        var method: String?
        if right.type == "call", let f = right.child(byField: "function"), f.type == "attribute", let object = f.child(byField: "object") {
            method = f.child(byField: "attribute")?.text
            source = object
        }
        var rows: [(item: Node, parts: [Node])] = []
        if method == nil, let items = listItems(source) {
            for item in items {
                if targets.count == 1 { rows.append((item, [item])); continue }
                guard let parts = listItems(item), parts.count == targets.count else { return nil }
                rows.append((item, parts))
            }
        } else if method == nil || method == "items" || method == "values" || method == "keys" {
            // A helper of the file that returns the table (`partition_params(m).items()`): the dictionaries it returns.
            var tables = dictionaries(source)
            if tables.isEmpty, source.type == "call", let helper = calledFunction(callSite(source)) {
                tables = returnedValues(helper).flatMap { dictionaries($0) }
            }
            for dictionary in tables where dictionary.type == "dictionary" || (dictionary.type == "call" && callSite(dictionary).callee == "dict") {
                // `{"embed": ...}` pairs, or `dict(embed=...)` keywords (the keyword's name stands for its key).
                let entries = dictionary.type == "dictionary" ? dictionary.namedChildren.filter { $0.type == "pair" }
                    : (dictionary.child(byField: "arguments")?.namedChildren ?? []).filter { $0.type == "keyword_argument" }
                for pair in entries {
                    guard let key = pair.child(byField: pair.type == "pair" ? "key" : "name"),
                          let value = pair.child(byField: "value").map(unwrapped) else { continue }
                    switch method {
                    case "items":
                        // `for kv in T.items()` binds the (key, value) pair, which no node of the table stands for.
                        guard targets.count == 2 else { return nil }
                        rows.append((value, [key, value]))
                    case "values": rows.append((value, [value]))
                    default: rows.append((value, [key]))
                    }
                }
            }
        } else {
            return nil
        }
        guard !rows.isEmpty else { return nil }
        return rows.map { row in
            var names: [String: Node] = [:]
            for (i, target) in targets.enumerated() where target.type == "identifier" && i < row.parts.count { names[target.text] = row.parts[i] }
            return LoopRow(item: row.item, names: names)
        }
    }

    /// The loop (a `for` statement or comprehension clause, see `loopRows`) that binds `name` as its variable where
    /// `use` reads it, and enclosing `use`; nil when the name is bound otherwise there.
    public func bindingLoop(of name: String, at use: Node) -> Node? {
        for binding in dataflow.bindings(of: name, at: use) {
            guard case .iteration = binding.kind else { continue }
            if binding.site.type == "for_in_clause" || isInside(use, binding.site) { return binding.site }
        }
        return nil
    }

    /// What an expression reads from a row (see `loopRows`): a loop variable (`rx`), or an entry of the record a
    /// variable holds (`spec["glob"]`, `spec.get("glob")`, `spec.pop("glob")`, a field of a construction of a class of the
    /// file, `g.lr`);
    /// nil for anything else.
    public func rowEntry(_ expression: Node, in row: LoopRow) -> Node? {
        let e = unwrapped(expression)
        if e.type == "identifier" { return row.names[e.text].map(unwrapped) }
        var holder: Node?
        var field: String?
        if e.type == "subscript" {
            holder = e.child(byField: "value")
            field = e.child(byField: "subscript").flatMap(SettingsTable.stringValue)
        } else if e.type == "call", case let get = callSite(e), get.name == "get" || get.name == "pop", let first = get.positional.first {
            holder = get.receiver
            field = SettingsTable.stringValue(unwrapped(first))
        } else if e.type == "attribute" {
            holder = e.child(byField: "object")
            field = e.child(byField: "attribute")?.text
        }
        guard let holder = holder.map(unwrapped), holder.type == "identifier", let record = row.names[holder.text], let field else { return nil }
        // A record built by a class of the file (`AdamGroup("embed", lr=0.3)`): what it gives the field.
        if e.type == "attribute" {
            let built = unwrapped(record)
            guard built.type == "call", boundClass(named: callSite(built).callee) != nil else { return nil }
            return fieldExpression(built, field).map(unwrapped)
        }
        return dictionaries(record).lazy.compactMap { OptimizerUse.entry(field, in: $0) }.first.map(unwrapped)
    }

    /// The strings and numbers a row gives the loop's variables, by name, for the script interpreter.
    public func rowEnvironment(_ row: LoopRow) -> [String: ScriptValue] {
        var env: [String: ScriptValue] = [:]
        for (name, node) in row.names {
            let part = unwrapped(node)
            if let text = SettingsTable.stringValue(part) { env[name] = .string(text) }
            else if let keyword = part.parent, keyword.type == "keyword_argument", keyword.child(byField: "name") == part { env[name] = .string(part.text) }
            else if let v = evaluate(part) { env[name] = .number(v) }
        }
        return env
    }

    /// The numbers an expression gives in one row (see `loopRows`): a row's element or record entry (`lr`, `spec["lr"]`)
    /// resolved, or an expression of the row's strings and numbers run by the script interpreter (`hp[g + ".lr"]`,
    /// `hp[f"{g}.lr"]`). Nil when the expression reads nothing of the row, or does not compute.
    func rowValues(_ expression: Node, in row: LoopRow) -> [Double]? {
        if let entry = rowEntry(expression, in: row) {
            let resolved = values(of: entry).map(\.double)
            if !resolved.isEmpty { return resolved }
            return evaluate(entry).map { [$0] }
        }
        let env = rowEnvironment(row)
        guard !env.isEmpty, reads(expression, env), let v = ScriptInterpreter(self).value(of: expression, env: env)?.number else { return nil }
        return [v]
    }

    /// The row of a table a construction made per record reads (`OptimizerUse.record`, see `RegistrySelection`): the
    /// row of the loop binding the record's variable at `use` whose item, or whose value for that variable, is the
    /// record. Nil when the variable is bound by no loop over a literal table.
    public func recordRow(_ record: (variable: String, dictionary: Node), at use: Node) -> LoopRow? {
        guard let loop = bindingLoop(of: record.variable, at: use), let rows = loopRows(loop) else { return nil }
        let target = unwrapped(record.dictionary)
        return rows.first { row in row.item == target || row.names[record.variable].map(unwrapped) == target }
    }

    /// The node of a parameter-name test's pattern (`fnmatch.fnmatch(n, pat)`/`fnmatchcase`, `re.search(pat, n)`/
    /// `match`/`fullmatch`, `n.startswith(pat)`/`endswith`); nil for any other call.
    public func namePatternArgument(_ call: CallSite) -> Node? {
        if ["fnmatch", "fnmatchcase"].contains(call.name) { return call.argument("pat", position: 1) }
        if ["search", "match", "fullmatch"].contains(call.name), call.callee.hasPrefix("re.") { return call.argument("pattern", position: 0) }
        if ["startswith", "endswith"].contains(call.name), call.receiver != nil { return call.positional.first }
        return nil
    }
}
