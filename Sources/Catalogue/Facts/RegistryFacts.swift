import Foundation
import SourceModel
import TreeSitterKit

/// Registries a script chooses from by its configuration: a module dictionary of functions or classes read with a
/// decided key (see `StaticConditions`).
extension PythonFacts {
    /// `REGISTRY[key]` where `REGISTRY` is a module's dictionary of functions or classes that nothing else writes
    /// and `key` is decided: the entry it selects (`{"relu2": relu_sq, "gelu": F.gelu}[args.act]`, also
    /// `ACTIVATIONS[cfg.act]`); also an entry that is a tuple of them where an assignment unpacks the read into as many
    /// names (`"rotary": (Angles, spin)` read as `table, self.turn = ENCODINGS[cfg["positional"]]`).
    public func registryEntry(_ read: Node) -> (dictionary: Node, pair: Node, entry: Node)? {
        // The table first (cheap), the key only for a registry.
        guard read.type == "subscript", let table = read.child(byField: "value"),
              let keyNode = read.child(byField: "subscript"), let dictionary = registryDictionary(table) else { return nil }
        guard let key = decidedString(keyNode) else { return nil }
        for entry in registryPairs(dictionary) where entry.key == key {
            let value = entry.value
            return value.type == "identifier" || value.type == "attribute" || unpacksTupleEntry(value, at: read)
                ? (dictionary, entry.pair, value) : nil
        }
        return nil
    }

    /// The key of a read of the module's namespace, `globals()[key]`; nil for any other expression. Read by
    /// `globalsLookupNames` (which names a key may stand for) and `globalsEntry` (the one a decided key names).
    func globalsKey(_ read: Node) -> Node? {
        let n = unparenthesized(read)
        guard n.type == "subscript", let table = n.child(byField: "value").map(unwrapped), table.type == "call",
              case let namespace = callSite(table), namespace.callee == "globals", namespace.positional.isEmpty,
              namespace.keywords.isEmpty else { return nil }
        return n.child(byField: "subscript")
    }

    /// The module-level functions and classes of the file a `globals()[key]` read may stand for: the one a constant
    /// key names (`globals()["Muon"]`), or, for an f-string key, every one whose name fits the key's constant parts
    /// in order (`globals()[f"zeropower_via_{group['backend']}"]`: every `zeropower_via_*`). Nil when `read` is no
    /// such read or no name of the file fits.
    public func globalsLookupNames(_ read: Node) -> [String]? {
        guard let key = globalsKey(read).map(unparenthesized), key.type == "string" else { return nil }
        let pieces = key.namedChildren.filter { $0.type == "string_content" || $0.type == "interpolation" }
        let defined = (functions.map { (node: $0.node, name: $0.name) } + classes.map { (node: $0.node, name: $0.name) })
            .filter { d in !ancestors(of: d.node).contains { ["function_definition", "class_definition"].contains($0.type) } }
            .map { $0.name }
        // The key's constant parts, and whether it has a hole (an interpolation) at all.
        let parts = pieces.filter { $0.type == "string_content" }.map { $0.text }
        let holes = pieces.contains { $0.type == "interpolation" }
        func fits(_ name: String) -> Bool {
            guard holes else { return name == parts.joined() }
            var rest = Substring(name)
            for (index, piece) in pieces.enumerated() where piece.type == "string_content" {
                // A leading constant is a prefix, a trailing one a suffix, a middle one found in order.
                if index == 0 {
                    guard rest.hasPrefix(piece.text) else { return false }
                    rest = rest.dropFirst(piece.text.count)
                } else if index == pieces.count - 1 {
                    guard rest.hasSuffix(piece.text) else { return false }
                    rest = rest.dropLast(piece.text.count)
                } else {
                    guard let range = rest.range(of: piece.text) else { return false }
                    rest = rest[range.upperBound...]
                }
            }
            return true
        }
        let found = Array(Set(defined.filter(fits))).sorted()
        return found.isEmpty ? nil : found
    }

    /// `globals()[key]` with a decided key (`globals()[f"_act_{cfg.act}"]`, see `decidedString`): a dispatch by name
    /// through the module's namespace, whose registry is the file's module-level definitions. The name node of the
    /// module-level function or class of that name (the last one when several), nil when the key is undecided or names
    /// no definition of the file (an imported name, a variable).
    public func globalsEntry(_ read: Node) -> Node? {
        guard let keyNode = globalsKey(read), let key = decidedString(keyNode) else { return nil }
        let definitions = nodes(ofType: ["function_definition", "class_definition"]).filter { definition in
            let statement = definition.parent?.type == "decorated_definition" ? definition.parent : definition
            return statement?.parent?.type == "module" && definition.child(byField: "name")?.text == key
        }
        return definitions.last?.child(byField: "name")
    }

    /// The entries of a registry's dictionary (see `registryDictionary`), in order: each with the node holding it (a
    /// literal's `"ns": ns5` pair, a `dict(...)` call's `ns=ns5` keyword argument), its key and its value. A literal's
    /// entry whose key is no string is left out.
    func registryPairs(_ dictionary: Node) -> [(pair: Node, key: String, value: Node)] {
        if dictionary.type == "call" {
            let arguments = dictionary.child(byField: "arguments")?.namedChildren ?? []
            return arguments.compactMap { argument -> (pair: Node, key: String, value: Node)? in
                guard argument.type == "keyword_argument", let name = argument.child(byField: "name"),
                      let value = argument.child(byField: "value") else { return nil }
                return (argument, name.text, value)
            }
        }
        return dictionary.namedChildren.compactMap { pair -> (pair: Node, key: String, value: Node)? in
            guard pair.type == "pair", let key = pair.child(byField: "key").flatMap(SettingsTable.stringValue),
                  let value = pair.child(byField: "value") else { return nil }
            return (pair, key, value)
        }
    }

    /// Whether a registry entry is a tuple of functions or classes (`(Angles, spin)`) and `read` is the whole right side
    /// of an assignment that unpacks it into as many targets (`table, self.turn = ENCODINGS[key]`).
    private func unpacksTupleEntry(_ entry: Node, at read: Node) -> Bool {
        let parts = entry.namedChildren.filter { $0.type != "comment" }
        guard entry.type == "tuple", !parts.isEmpty, parts.allSatisfy({ $0.type == "identifier" || $0.type == "attribute" }),
              let assignment = read.parent, assignment.type == "assignment", assignment.child(byField: "right") == read,
              let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type) else { return false }
        return left.namedChildren.filter { $0.type != "comment" }.count == parts.count
    }

    /// The dictionary a registry read looks into: a literal written in place, or a module dictionary nothing else
    /// writes, a literal or a `dict(...)` call of keyword arguments only (`zeropower_backends = dict(svd=svd_polar,
    /// newtonschulz5=ns5)`; see `registryPairs` for the entries of either).
    func registryDictionary(_ table: Node) -> Node? {
        if table.type == "dictionary" { return table }
        guard table.type == "identifier" else { return nil }
        let settings = allSettings.settings(table.text)
        guard settings.count == 1, settings[0].source == .moduleAssignment, settings[0].written == table.text,
              settings[0].value.type == "dictionary" || isKeywordDictionary(settings[0].value), !isLocallyBound(table) else { return nil }
        // Only read: no `REGISTRY["x"] = ...`, `REGISTRY.update(...)`, and no hand-over to code that could write it.
        for use in identifiersByName[table.text] ?? [] where !settings[0].site.byteRange.contains(use.startByte) {
            guard let parent = use.parent, Self.onlyReads(use, parent) else { return nil }
        }
        return settings[0].value
    }

    /// Whether an expression is `dict(...)` given keyword arguments only (`dict(svd=svd_polar, ns=ns5)`): a dictionary
    /// whose keys are those keywords.
    func isKeywordDictionary(_ node: Node) -> Bool {
        guard node.type == "call", callSite(node).callee == "dict", let arguments = node.child(byField: "arguments") else { return false }
        let entries = arguments.namedChildren.filter { $0.type != "comment" }
        return !entries.isEmpty && entries.allSatisfy { $0.type == "keyword_argument" }
    }

    /// The values `TABLE[key]` reads when the configuration decides its keys, `TABLE` a registry (see
    /// `registryDictionary`), any kind of value (a lambda too): the entry of a decided key (`decidedString`), or, for a
    /// loop or comprehension variable over a list of strings the file spells out (`[TERMS[name](env) for name in
    /// CFG["mask_terms"]]`, see `foldedStringList`), the entries of those keys. Nil when it is no registry read, the
    /// keys are not known, or no entry has one of them.
    public func selectedTableEntries(_ read: Node) -> [Node]? {
        guard read.type == "subscript", let table = read.child(byField: "value"), let key = read.child(byField: "subscript"),
              let dictionary = registryDictionary(table) else { return nil }
        return selectedEntries(of: dictionary, key: key)
    }

    /// The values of a registry's dictionary a key selects (see `selectedTableEntries`).
    private func selectedEntries(of dictionary: Node, key: Node) -> [Node]? {
        let keyNode = unwrapped(key)
        let keys: [String]
        if let decided = decidedString(keyNode) {
            keys = [decided]
        } else {
            guard keyNode.type == "identifier" else { return nil }
            let bindings = dataflow.bindings(of: keyNode.text, at: keyNode)
            guard bindings.count == 1, bindings[0].kind == .iteration(nil),
                  let listed = foldedStringList(unwrapped(bindings[0].node), depth: 0) else { return nil }
            keys = listed
        }
        let chosen = registryPairs(dictionary).filter { keys.contains($0.key) }.map { $0.value }
        return chosen.isEmpty ? nil : chosen
    }

    /// The calls of a function held in a table of functions: `TABLE[key](...)` with `TABLE` a registry (see
    /// `registryDictionary`) one of whose values is `entry`, a lambda written there (`TERMS = {"doc": lambda env:
    /// ...}`, called as `TERMS[name](env)`) or a name bound to the `def` given as `entry` (`{"doc": same_doc}`). When
    /// the read selects its entries (`selectedTableEntries`) `entry` must be one of them; a key only the run decides
    /// may select any entry.
    public func tableCalls(ofEntry entry: Node) -> [CallSite] {
        guard entry.type == "lambda" || entry.type == "function_definition", entry.tree === tree else { return [] }
        // The entry written there, or a name bound to it.
        func denotesEntry(_ value: Node) -> Bool {
            let v = unwrapped(value)
            return v == entry || (v.type == "identifier" && dataflow.bindings(of: v.text, at: v).contains { $0.node == entry })
        }
        return registryCalls.filter { site in
            // The table holds the entry (cheap), then the read may select it.
            let values = registryPairs(site.dictionary).map { $0.value }
            guard values.contains(where: denotesEntry) else { return false }
            return selectedEntries(of: site.dictionary, key: site.key)?.contains(where: denotesEntry) ?? true
        }.map { $0.call }
    }

    /// Every call of an entry of a registry (`TABLE[key](...)`, see `registryDictionary`), with the key it reads and the
    /// registry's dictionary; found once per file.
    private var registryCalls: [(call: CallSite, key: Node, dictionary: Node)] {
        memoized("registryCalls") {
            calls.compactMap { call -> (call: CallSite, key: Node, dictionary: Node)? in
                guard let function = call.function.map(unwrapped), function.type == "subscript",
                      let table = function.child(byField: "value"), let key = function.child(byField: "subscript"),
                      let dictionary = registryDictionary(table), dictionary.tree === tree else { return nil }
                return (call, key, dictionary)
            }
        }
    }

    /// An entry a registry read may select, and, when the key is read from one record of a table of records
    /// (`REGISTRY[spec["cls"]]` with `spec` one entry of `{"adam": {"cls": "Adam", "kwargs": {...}}, ...}`), the
    /// variable holding the record and the record that selects this entry.
    public struct RegistrySelection {
        public let entry: Node
        public let record: (variable: String, dictionary: Node)?
    }

    /// The entries `REGISTRY[key]` may select (see `registryEntry` for the registries read): the one a decided key
    /// selects; for a key read from a record of a table the code walks (`spec["cls"]` with `spec` a loop variable over
    /// the table's values, or `spec = table[k]` with `k` undecided), the entry each record names, with the record; else
    /// the entries named by strings the file gives the key's name, or every entry. Empty when it is no registry read.
    public func registrySelections(_ read: Node) -> [RegistrySelection] {
        guard read.type == "subscript", let table = read.child(byField: "value"),
              let keyNode = read.child(byField: "subscript").map(unwrapped), let dictionary = registryDictionary(table) else { return [] }
        let entries = registryPairs(dictionary).filter { $0.value.type == "identifier" || $0.value.type == "attribute" }
            .map { (key: $0.key, value: $0.value) }
        if let key = decidedString(keyNode) { return entries.filter { $0.key == key }.map { RegistrySelection(entry: $0.value, record: nil) } }
        // `spec["cls"]` over the records of a table.
        if keyNode.type == "subscript", let holder = keyNode.child(byField: "value").map(unwrapped), holder.type == "identifier",
           let field = keyNode.child(byField: "subscript").flatMap(SettingsTable.stringValue) {
            var selections: [RegistrySelection] = []
            for record in records(held: holder) {
                guard let named = OptimizerUse.entry(field, in: record).flatMap(SettingsTable.stringValue) else { continue }
                for entry in entries where entry.key == named {
                    selections.append(RegistrySelection(entry: entry.value, record: (variable: holder.text, dictionary: record)))
                }
            }
            if !selections.isEmpty { return selections }
        }
        let named = SettingsTable.bareName(of: keyNode).map { allSettings.settings($0).compactMap { SettingsTable.stringValue($0.value) } } ?? []
        let chosen = entries.filter { named.contains($0.key) }
        return (chosen.isEmpty ? entries : chosen).map { RegistrySelection(entry: $0.value, record: nil) }
    }

    /// The records (dictionaries) a name holds one of: a loop variable over a table's values (`for spec in
    /// T.values()`, `for k, spec in T.items()`, `for spec in [{...}, {...}]`), or a name set to `T[k]` with `k` undecided;
    /// the table followed through names and the arguments a parameter is given (`registry` given `SPEC["optimizers"]`).
    func records(held name: Node) -> [Node] {
        func tables(_ node: Node) -> [Node] {
            let n = unwrapped(node)
            if n.type == "list" || n.type == "tuple" { return [n] }
            if n.type == "identifier" {
                let passed = dataflow.bindings(of: n.text, at: n).flatMap { dataflow.passedArguments($0, name: n.text) }
                if !passed.isEmpty { return passed.flatMap { dictionaries($0) } }
            }
            return dictionaries(n)
        }
        func values(of table: Node) -> [Node] {
            let items = table.type == "dictionary" ? table.namedChildren.compactMap { $0.child(byField: "value") }
                : table.type == "list" || table.type == "tuple" ? table.namedChildren : []
            return items.flatMap { dictionaries($0) }
        }
        var result: [Node] = []
        for binding in dataflow.bindings(of: name.text, at: name) {
            var source = unwrapped(binding.node)
            switch binding.kind {
            case .iteration(let index):
                var method: String?
                if source.type == "call", let f = source.child(byField: "function"), f.type == "attribute", let object = f.child(byField: "object") {
                    method = f.child(byField: "attribute")?.text
                    source = object
                }
                guard method == "values" && index == nil || method == "items" && index == 1 || method == nil && index == nil else { continue }
                // A dictionary walked by itself gives its keys: only a list or tuple of records gives records.
                result += tables(source).filter { method != nil || $0.type != "dictionary" }.flatMap(values)
            case .value:
                guard source.type == "subscript", let key = source.child(byField: "subscript"), decidedString(key) == nil,
                      let table = source.child(byField: "value") else { continue }
                result += tables(table).flatMap(values)
            default:
                continue
            }
        }
        return result
    }

    /// Whether this use of a dictionary only reads it: an entry read (not written or deleted), a membership test,
    /// its keys listed (`sorted(REGISTRY)`, `choices=list(REGISTRY)`, `REGISTRY.keys()`, `REGISTRY.get(k)`).
    static func onlyReads(_ use: Node, _ parent: Node) -> Bool {
        switch parent.type {
        case "subscript":
            guard parent.child(byField: "value") == use, let outer = parent.parent else { return false }
            if ["assignment", "augmented_assignment"].contains(outer.type), outer.child(byField: "left") == parent { return false }
            return outer.type != "delete_statement"
        case "comparison_operator", "keyword_argument":
            return true
        case "attribute":
            return ["keys", "values", "items", "get"].contains(parent.child(byField: "attribute")?.text ?? "")
        case "argument_list":
            guard let call = parent.parent, let function = call.child(byField: "function") else { return false }
            return ["sorted", "list", "tuple", "set", "len", "print", "str", "repr", "iter", "enumerate"].contains(function.text)
        default:
            return false
        }
    }
}
