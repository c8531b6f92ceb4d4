import Foundation
import SourceModel
import TreeSitterKit

/// Registries a script chooses from by its configuration: a module dictionary of functions or classes read with a
/// decided key (see `StaticConditions`).
extension PythonFacts {
    /// `REGISTRY[key]` where `REGISTRY` is a module's dictionary of functions or classes that nothing else writes
    /// and `key` is decided (see `decidedKey`: also a parameter every call gives one string): the entry it selects (`{"relu2": relu_sq, "gelu": F.gelu}[args.act]`, also
    /// `ACTIVATIONS[cfg.act]`); also an entry that is a tuple of them where an assignment unpacks the read into as many
    /// names (`"rotary": (Angles, spin)` read as `table, self.turn = ENCODINGS[cfg["positional"]]`).
    public func registryEntry(_ read: Node) -> (dictionary: Node, pair: Node, entry: Node)? {
        // The table first (cheap), the key only for a registry.
        guard read.type == "subscript", let table = read.child(byField: "value"),
              let keyNode = read.child(byField: "subscript"), let dictionary = registryDictionary(table, local: false) else { return nil }
        guard let key = decidedKey(keyNode) else { return nil }
        for entry in registryPairs(dictionary) where entry.key == key {
            let value = entry.value
            return value.type == "identifier" || value.type == "attribute" || unpacksTupleEntry(value, at: read)
                ? (dictionary, entry.pair, value) : nil
        }
        return nil
    }

    /// The string a registry read's key holds in every run: the one the configuration decides (`decidedString`), or,
    /// for a parameter of a module-level function of the file (`def get_scheduler(name, ...): fn = SCHEDULES[name]`),
    /// the one string every call of that function gives it (`get_scheduler(args.lr_scheduler_type, ...)` with the
    /// field's one value; a call leaving it to its default gives the default; see `boundArgument`). Nil when the
    /// function is never called, or its calls give different strings or one the run decides.
    func decidedKey(_ key: Node) -> String? {
        if let decided = decidedString(key) { return decided }
        let k = unwrapped(key)
        guard k.type == "identifier", let function = parameterOwner(of: k), enclosingClass(function.node) == nil else { return nil }
        let callers = calls(named: function.name).filter { calledFunction($0)?.node == function.node }
        guard !callers.isEmpty else { return nil }
        var found: String?
        for call in callers {
            guard let given = boundArgument(k.text, of: function, at: call), let text = decidedString(given),
                  found == nil || found == text else { return nil }
            found = text
        }
        return found
    }

    /// The module-level function of the file a call runs through a registry read (see `registryEntry`, whose key may be
    /// a parameter every call of its function gives one string, see `decidedKey`): `SCHEDULES[kind](step)`, or
    /// `fn(step)` with `fn` bound once, in the call's scope or a function around it, to such a read (`fn =
    /// SCHEDULES[name]` in a schedule builder whose nested `lr_lambda(step)` calls `fn`). Nil for any other call,
    /// a name bound more than once, or an entry that is not a function of the file.
    public func registrySelectedFunction(_ call: CallSite) -> Function? {
        guard call.receiver == nil, call.node.tree === tree, let callee = call.function.map(unwrapped) else { return nil }
        var read = callee
        if callee.type == "identifier" {
            guard !functionNameSet.contains(callee.text) else { return nil }
            let bindings = dataflow.bindings(of: callee.text, at: callee)
            guard bindings.count == 1, bindings[0].kind == .value else { return nil }
            read = unwrapped(bindings[0].node)
        }
        guard read.type == "subscript", let entry = registryEntry(read)?.entry, entry.type == "identifier" else { return nil }
        return moduleFunctions[entry.text]
    }

    /// The key of a read of the module's namespace, `globals()[key]`; nil for any other expression. Read by
    /// `globalsLookupNames` (which names a key may stand for) and `globalsEntry` (the one a decided key names).
    func globalsKey(_ read: Node) -> Node? {
        let n = unparenthesized(read)
        guard n.type == "subscript", let table = n.child(byField: "value"), isModuleNamespace(table) else { return nil }
        return n.child(byField: "subscript")
    }

    /// Whether an expression is a call of the builtin `globals()` (the module's namespace as a dictionary), not of a
    /// function the file imports under that name.
    func isModuleNamespace(_ expression: Node) -> Bool {
        let n = unwrapped(expression)
        guard n.type == "call", imports.bindings["globals"] == nil else { return false }
        let call = callSite(n)
        return call.callee == "globals" && call.positional.isEmpty && call.keywords.isEmpty
    }

    /// The module-level functions and classes of the file a `globals()[key]` read may stand for: the one a constant
    /// key names (`globals()["Muon"]`), or, for an f-string key, every one whose name fits the key's constant parts
    /// in order (`globals()[f"zeropower_via_{group['backend']}"]`: every `zeropower_via_*`); also, for a read of a
    /// table filtered from the namespace, its entries (see `namespaceTableNames`). Nil when `read` is no such read or
    /// no name of the file fits.
    public func globalsLookupNames(_ read: Node) -> [String]? {
        if let filtered = namespaceTableNames(read) { return filtered }
        guard let key = globalsKey(read).map(unparenthesized), key.type == "string" else { return nil }
        let pieces = key.namedChildren.filter { $0.type == "string_content" || $0.type == "interpolation" }
        let defined = moduleDefinitionNames
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

    /// The names of the file's module-level functions and classes (what `globals()` holds of the file's own code).
    public var moduleDefinitionNames: Set<String> {
        memoized("moduleDefinitionNames") {
            Set((functions.map { (node: $0.node, name: $0.name) } + classes.map { (node: $0.node, name: $0.name) })
                .filter { d in !ancestors(of: d.node).contains { ["function_definition", "class_definition"].contains($0.type) } }
                .map { $0.name })
        }
    }

    /// For a read of a module table built from the module's namespace filtered by name (`BACKENDS[key]` with
    /// `BACKENDS = {n[len("_ortho_"):]: fn for n, fn in globals().items() if n.startswith("_ortho_")}`, also over
    /// `dict(globals()).items()` or `globals().copy().items()`): the module-level functions and classes whose names pass
    /// every `startswith` / `endswith` / `in` test of the comprehension's name variable (a test of anything else, joined
    /// by `and`, narrows the entries further and is left out). Any key: the entries a read may select are among these.
    /// Nil for any other read, a table written elsewhere, a comprehension whose value is not the namespace's entry, or
    /// a test of the name joined by `or` / `not`.
    func namespaceTableNames(_ read: Node) -> [String]? {
        let n = unparenthesized(read)
        guard n.type == "subscript", let table = n.child(byField: "value").map(unwrapped), table.type == "identifier" else { return nil }
        let settings = allSettings.settings(table.text)
        guard settings.count == 1, settings[0].source == .moduleAssignment, settings[0].written == table.text,
              !isLocallyBound(table), case let comprehension = unwrapped(settings[0].value), comprehension.type == "dictionary_comprehension",
              let body = comprehension.child(byField: "body"), body.type == "pair",
              let value = body.child(byField: "value").map(unwrapped), value.type == "identifier" else { return nil }
        let clauses = comprehension.namedChildren.filter { $0.type == "for_in_clause" }
        guard clauses.count == 1, let targets = clauses[0].child(byField: "left"), targets.namedChildCount == 2,
              let nameVariable = targets.namedChild(0), nameVariable.type == "identifier", targets.namedChild(1)?.text == value.text,
              let walked = clauses[0].child(byField: "right").map(unwrapped), walked.type == "call", case let items = callSite(walked),
              items.name == "items", items.positional.isEmpty, var namespace = items.receiver.map(unwrapped), namespace.type == "call"
        else { return nil }
        // `dict(globals())`, `globals().copy()`: the namespace copied.
        let copy = callSite(namespace)
        if copy.callee == "dict", copy.positional.count == 1, copy.keywords.isEmpty, let inner = copy.positional.first.map(unwrapped),
           inner.type == "call" {
            namespace = inner
        } else if copy.name == "copy", copy.positional.isEmpty, let inner = copy.receiver.map(unwrapped), inner.type == "call" {
            namespace = inner
        }
        guard isModuleNamespace(namespace) else { return nil }
        // The name tests: `n.startswith("p")`, `n.endswith("s")`, `"x" in n`, joined by `and`.
        var tests: [(String) -> Bool] = []
        func understood(_ condition: Node) -> Bool {
            let c = unwrapped(condition)
            if c.type == "boolean_operator" {
                guard c.child(byField: "operator")?.type == "and", let l = c.child(byField: "left"), let r = c.child(byField: "right")
                else { return !mentions(c, nameVariable.text) }
                return understood(l) && understood(r)
            }
            guard mentions(c, nameVariable.text) else { return true }
            if c.type == "call", case let test = callSite(c), test.receiver.map(unwrapped)?.text == nameVariable.text,
               test.positional.count == 1, let affix = SettingsTable.stringValue(test.positional[0]) {
                if test.name == "startswith" { tests.append({ $0.hasPrefix(affix) }); return true }
                if test.name == "endswith" { tests.append({ $0.hasSuffix(affix) }); return true }
            }
            if c.type == "comparison_operator", c.children.filter({ !$0.isNamed }).map(\.type) == ["in"], c.namedChildCount == 2,
               let part = SettingsTable.stringValue(c.namedChildren[0]), c.namedChildren[1].text == nameVariable.text {
                tests.append({ $0.contains(part) })
                return true
            }
            return false
        }
        for clause in comprehension.namedChildren where clause.type == "if_clause" {
            guard let condition = clause.namedChildren.first, understood(condition) else { return nil }
        }
        let found = moduleDefinitionNames.filter { name in tests.allSatisfy { $0(name) } }.sorted()
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
    /// entry whose key is no string is left out. A value is read without its parentheses (`"adamw": (torch.optim.AdamW)`,
    /// the respelling of `getattr(torch.optim, "AdamW")`).
    func registryPairs(_ dictionary: Node) -> [(pair: Node, key: String, value: Node)] {
        if dictionary.type == "call" {
            let arguments = dictionary.child(byField: "arguments")?.namedChildren ?? []
            return arguments.compactMap { argument -> (pair: Node, key: String, value: Node)? in
                guard argument.type == "keyword_argument", let name = argument.child(byField: "name"),
                      let value = argument.child(byField: "value") else { return nil }
                return (argument, name.text, unparenthesized(value))
            }
        }
        return dictionary.namedChildren.compactMap { pair -> (pair: Node, key: String, value: Node)? in
            guard pair.type == "pair", let key = pair.child(byField: "key").flatMap(SettingsTable.stringValue),
                  let value = pair.child(byField: "value") else { return nil }
            return (pair, key, unparenthesized(value))
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
    /// newtonschulz5=ns5)`; see `registryPairs` for the entries of either), or such a dictionary a function binds its
    /// name to once and only reads (`registry = {"adamw": torch.optim.AdamW, "muon": Muon}` in `configure_optimizers`),
    /// unless `local` is false (`registryEntry`, whose decided reads the configured program rewrites, keeps to
    /// module registries).
    func registryDictionary(_ table: Node, local: Bool = true) -> Node? {
        if table.type == "dictionary" { return table }
        guard table.type == "identifier" else { return nil }
        if local, enclosingFunction(table) != nil, let own = localRegistryDictionary(table) { return own }
        let settings = allSettings.settings(table.text)
        guard settings.count == 1, settings[0].source == .moduleAssignment, settings[0].written == table.text,
              settings[0].value.type == "dictionary" || isKeywordDictionary(settings[0].value), !isLocallyBound(table) else { return nil }
        // Only read: no `REGISTRY["x"] = ...`, `REGISTRY.update(...)`, and no hand-over to code that could write it.
        for use in identifiersByName[table.text] ?? [] where !settings[0].site.byteRange.contains(use.startByte) {
            guard let parent = use.parent, Self.onlyReads(use, parent) else { return nil }
        }
        return settings[0].value
    }

    /// A function's own registry (see `registryDictionary`): the name read is bound once, in a function, to a literal
    /// or a `dict(...)` of keyword arguments, and every use of it in that function only reads it. Nil otherwise.
    private func localRegistryDictionary(_ table: Node) -> Node? {
        let bindings = dataflow.bindings(of: table.text, at: table)
        guard bindings.count == 1, bindings[0].kind == .value, let owner = enclosingFunction(bindings[0].site) else { return nil }
        let value = unwrapped(bindings[0].node)
        guard value.type == "dictionary" || isKeywordDictionary(value) else { return nil }
        for use in identifiersByName[table.text] ?? [] where isInside(use, owner.node) && !bindings[0].site.byteRange.contains(use.startByte) {
            guard let parent = use.parent, Self.onlyReads(use, parent) else { return nil }
        }
        return value
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
        if let decided = decidedKey(keyNode) {
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
    /// variable holding the record and the record that selects this entry. When the key is a name whose value is not
    /// decided (`OPTIMIZERS[kind]` in `for kind, groups in by_kind.items()`), `keyed` holds that name and the key of
    /// this entry, so that other tables read by the same name (`**defaults[kind]`) are read at the same key.
    public struct RegistrySelection {
        public let entry: Node
        public let record: (variable: String, dictionary: Node)?
        public var keyed: (name: String, key: String)? = nil
    }

    /// The entries `REGISTRY[key]` may select (see `registryEntry` for the registries read): the one a decided key
    /// selects; for a key read from a record of a table the code walks (`spec["cls"]` with `spec` a loop variable over
    /// the table's values, or `spec = table[k]` with `k` undecided), the entry each record names, with the record; for a
    /// key that is a parameter of a helper read through one call of it (`REGISTRY[name]` in `def resolve(name)`, called
    /// `resolve(entry["type"])`, the call's arguments `given`, see `namedChoices`), the entries the names it may hold
    /// select, none when they name no entry; else the entries named by strings the file gives the key's name, or every
    /// entry. Empty when it is no registry read.
    public func registrySelections(_ read: Node, given: [String: Node] = [:]) -> [RegistrySelection] {
        guard read.type == "subscript", let table = read.child(byField: "value"),
              let keyNode = read.child(byField: "subscript").map(unwrapped), let dictionary = registryDictionary(table) else { return [] }
        let entries = registryPairs(dictionary).filter { $0.value.type == "identifier" || $0.value.type == "attribute" }
            .map { (key: $0.key, value: $0.value) }
        if let key = decidedKey(keyNode) { return entries.filter { $0.key == key }.map { RegistrySelection(entry: $0.value, record: nil) } }
        if keyNode.type == "identifier", given[keyNode.text] != nil, case let names = nameKeys(keyNode, given: given), !names.isEmpty {
            return names.flatMap { name in
                entries.filter { $0.key == name.name }.map { RegistrySelection(entry: $0.value, record: name.record) }
            }
        }
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
        let name = keyNode.type == "identifier" ? keyNode.text : nil
        return (chosen.isEmpty ? entries : chosen).map { entry in
            RegistrySelection(entry: entry.value, record: nil, keyed: name.map { (name: $0, key: entry.key) })
        }
    }

    /// A class or function a script picks by name (see `namedChoices`): the callee it stands for (`torch.optim.AdamW`, a
    /// module-level `Muon` of the file) and, when the name is read from one record of a table (`spec["cls"]`, see
    /// `RegistrySelection`), the variable holding the record and the record.
    public struct NamedChoice {
        public let callee: String
        public let record: (variable: String, dictionary: Node)?
    }

    /// What an expression that picks a class or function by its name may stand for:
    /// - `getattr(module, key)` on an imported module (`getattr(torch.optim, "AdamW")`, `getattr(torch.optim,
    ///   spec["cls"])`): `module.name` for each name the key may hold (see `nameKeys`);
    /// - the module's namespace, `globals()[key]` or `globals().get(key)`, or a table filtered from it: the file's
    ///   module-level functions and classes the key may name (see `globalsLookupNames`, `namespaceTableNames`);
    /// - a registry read (`REGISTRY[key]`, see `registrySelections`): the entries it may select;
    /// - `a or b` of those (`globals().get(n) or getattr(torch.optim, n)`): a name the left side finds is not looked up
    ///   on the right;
    /// - the same in parentheses, and a name set to one (`cls = ...` then `cls(params)`), every assignment of it;
    /// - a call of a function of the file that returns one of these for its parameters (`def resolve(n): return
    ///   globals().get(n) or getattr(torch.optim, n)`, called `resolve(spec["cls"])`), or returns one of several of them
    ///   (a registry's entry when it holds the name, else `getattr(torch.optim, n)`): read with each parameter a key
    ///   stands for bound to the call's argument (`given`, see `nameKeys`), what any return may pick.
    /// Nil when `node` is none of these or no name is known.
    public func namedChoices(_ node: Node, depth: Int = 0, given: [String: Node] = [:]) -> [NamedChoice]? {
        guard depth < 4 else { return nil }
        let n = unparenthesized(node)
        func nonEmpty(_ choices: [NamedChoice]) -> [NamedChoice]? { choices.isEmpty ? nil : choices }
        // The keys that name a module-level function or class of the file.
        func definitions(_ key: Node) -> [NamedChoice]? {
            let defined = moduleDefinitionNames
            return nonEmpty(nameKeys(key, given: given).filter { defined.contains($0.name) }.map { NamedChoice(callee: $0.name, record: $0.record) })
        }
        switch n.type {
        case "call":
            let call = callSite(n)
            if call.callee == "getattr", imports.bindings["getattr"] == nil, (2...3).contains(call.positional.count), call.keywords.isEmpty,
               case let owner = unparenthesized(call.positional[0]), owner.type == "identifier" || owner.type == "attribute" {
                // The object must be an imported module (`torch.optim`, `nn`), not a value (`self`, `args`).
                var head = owner
                while head.type == "attribute", let object = head.child(byField: "object") { head = object }
                guard head.type == "identifier", imports.bindings[head.text] != nil, let module = imports.qualifiedName(of: owner) else { return nil }
                return nonEmpty(nameKeys(call.positional[1], given: given).map { NamedChoice(callee: "\(module).\($0.name)", record: $0.record) })
            }
            // `globals().get(key)`, `globals().get(key, default)`.
            if call.name == "get", (1...2).contains(call.positional.count), let namespace = call.receiver, isModuleNamespace(namespace) {
                return definitions(call.positional[0])
            }
            // `resolve(spec["cls"])` with `resolve` a module-level function of the file returning a lookup by name, also
            // one of several (`if n in REGISTRY: return REGISTRY[n]` then `return getattr(torch.optim, n)`): what each
            // may pick.
            if let function = calledFunction(call), enclosingClass(function.node) == nil, case let returned = returnedValues(function),
               !returned.isEmpty {
                var bound: [String: Node] = [:]
                for (index, parameter) in function.passedParameters.enumerated() {
                    if let argument = call.argument(parameter, position: index) { bound[parameter] = argument }
                }
                let picked = returned.compactMap { namedChoices($0, depth: depth + 1, given: bound) }
                return picked.count == returned.count ? nonEmpty(picked.flatMap { $0 }) : nil
            }
            return nil
        case "subscript":
            if let key = globalsKey(n) {
                if let held = globalsLookupNames(n) { return held.map { NamedChoice(callee: $0, record: nil) } }
                return definitions(key)
            }
            if let held = namespaceTableNames(n) { return held.map { NamedChoice(callee: $0, record: nil) } }
            let selections = registrySelections(n, given: given).map { selection in
                NamedChoice(callee: imports.qualifiedName(of: selection.entry) ?? selection.entry.text, record: selection.record)
            }
            // Inside a helper whose call gives the key (see `registrySelections`), selecting nothing is an answer: the
            // names the call passes name no entry of this registry.
            if let keyNode = n.child(byField: "subscript").map(unwrapped), keyNode.type == "identifier", given[keyNode.text] != nil {
                return selections
            }
            return nonEmpty(selections)
        case "boolean_operator":
            guard n.child(byField: "operator")?.type == "or", let l = n.child(byField: "left"), let r = n.child(byField: "right")
            else { return nil }
            let left = namedChoices(l, depth: depth + 1, given: given) ?? []
            let found = Set(left.map { $0.callee.lastDottedComponent })
            return nonEmpty(left + (namedChoices(r, depth: depth + 1, given: given) ?? []).filter { !found.contains($0.callee.lastDottedComponent) })
        case "identifier":
            let bindings = dataflow.bindings(of: n.text, at: n)
            guard !bindings.isEmpty, bindings.allSatisfy({ $0.kind == .value }) else { return nil }
            return nonEmpty(bindings.flatMap { binding -> [NamedChoice] in
                binding.site.byteRange.contains(n.startByte) ? [] : namedChoices(binding.node, depth: depth + 1, given: given) ?? []
            })
        default:
            return nil
        }
    }

    /// The names a key of a lookup by name may hold (see `namedChoices`), each Python identifiers: the string the
    /// configuration decides (`decidedString`); for a field of a record (`spec["cls"]` with `spec` one record of a
    /// table the code walks, see `records(held:)`), the field of each record, with the record; for a loop variable over
    /// strings the file spells out, those strings (`foldedStringList`); for a loop variable over the rows of a literal
    /// table (`cls` in `for g, rx, cls in ROUTES`, `k` in `for k, spec in T.items()`, see `loopRows`), the string it
    /// takes in each row, with the variable and the row as the record; else the strings the file sets the key's name
    /// to (`cls="AdamW"`, `"cls": "Muon"`, `opt_name = "AdamW"`). A parameter of a function read through a call of it
    /// (see `namedChoices`) is read as the argument `given` for it.
    func nameKeys(_ key: Node, given: [String: Node] = [:]) -> [(name: String, record: (variable: String, dictionary: Node)?)] {
        let k = unparenthesized(key)
        if k.type == "identifier", let argument = given[k.text] { return nameKeys(argument) }
        var keys: [(name: String, record: (variable: String, dictionary: Node)?)] = []
        if let decided = decidedString(k) {
            keys.append((name: decided, record: nil))
        } else if k.type == "subscript", let holder = k.child(byField: "value").map(unwrapped), holder.type == "identifier",
                  let field = k.child(byField: "subscript").flatMap(SettingsTable.stringValue) {
            for record in records(held: holder) {
                guard let named = OptimizerUse.entry(field, in: record).flatMap(SettingsTable.stringValue) else { continue }
                keys.append((name: named, record: (variable: holder.text, dictionary: record)))
            }
        } else if k.type == "identifier" {
            let bindings = dataflow.bindings(of: k.text, at: k)
            if bindings.count == 1, bindings[0].kind == .iteration(nil), let listed = foldedStringList(unwrapped(bindings[0].node), depth: 0) {
                for name in listed { keys.append((name: name, record: nil)) }
            } else if let loop = bindingLoop(of: k.text, at: k), let rows = loopRows(loop) {
                for row in rows {
                    guard let name = row.names[k.text].map(unwrapped).flatMap(SettingsTable.stringValue) else { continue }
                    keys.append((name: name, record: (variable: k.text, dictionary: row.item)))
                }
            }
        }
        if keys.isEmpty, let name = SettingsTable.bareName(of: k) {
            // (An unquoted word of a YAML or INI document is a string too, see `Setting.bareWord`.)
            for named in allSettings.settings(name).compactMap({ $0.bareWord ?? SettingsTable.stringValue($0.value) }) { keys.append((name: named, record: nil)) }
        }
        return keys.filter { Self.isAttributeName($0.name) }
    }

    /// The classes or functions a call may run when its callee picks them by name (see `namedChoices`: `cls(params)`
    /// with `cls = getattr(torch.optim, name)`, `REGISTRY[spec["cls"]](...)`); empty for a call of a plain name. Read
    /// once per file.
    public func calleesChosenByName(_ call: CallSite) -> [NamedChoice] {
        let chosen: [Node: [NamedChoice]] = memoized("calleesChosenByName") {
            var found: [Node: [NamedChoice]] = [:]
            for site in calls where !site.isMapped {
                guard let function = site.function, ["identifier", "call", "subscript", "boolean_operator"].contains(function.type),
                      !(function.type == "identifier" && functionNameSet.contains(function.text)),
                      let choices = namedChoices(function) else { continue }
                found[site.node] = choices
            }
            return found
        }
        return chosen[call.node] ?? []
    }

    /// The names of what a call may run, last dotted part: its own name (`cos` for `torch.cos(x)`, `x.cos()`), and the
    /// functions or classes its callee picks by name (`getattr(torch, fn)(x)` for `fn in ("cos", "sin")` gives cos and
    /// sin; see `calleesChosenByName`).
    public func calledNames(_ call: CallSite) -> Set<String> {
        Set([call.name] + calleesChosenByName(call).map { $0.callee.lastDottedComponent })
    }

    /// The records (dictionaries) a name holds one of: a loop variable over a table's values (`for spec in
    /// T.values()`, `for k, spec in T.items()`, `for spec in [{...}, {...}]`), or a name set to `T[k]` with `k` undecided;
    /// the table followed through names and the arguments a parameter is given (`registry` given `SPEC["optimizers"]`).
    func records(held name: Node) -> [Node] {
        func tables(_ node: Node, depth: Int = 0) -> [Node] {
            let n = unwrapped(node)
            if n.type == "list" || n.type == "tuple" { return [n] }
            if n.type == "call", let document = loadedDocument(n), document.type == "list" { return [document] }
            guard depth < 4 else { return [] }
            if n.type == "identifier" {
                let bindings = dataflow.bindings(of: n.text, at: n)
                let passed = bindings.flatMap { dataflow.passedArguments($0, name: n.text) }
                if !passed.isEmpty { return passed.flatMap { dictionaries($0) } }
                // A local set to an entry of a configuration (`entries = config["optimizer"]`): the tables that entry holds.
                let entries = bindings.filter { $0.kind == .value && unwrapped($0.node).type == "subscript" }
                    .flatMap { tables($0.node, depth: depth + 1) }
                if !entries.isEmpty { return entries }
            }
            // An entry of a configuration read by its key (`config["optimizer"]`, `ds_config["optimizer"]` with the list
            // of optimizer entries written in the dictionary the name holds or its callers pass).
            if n.type == "subscript", let table = n.child(byField: "value"),
               let key = n.child(byField: "subscript").map(unwrapped).flatMap(SettingsTable.stringValue) {
                return entries(key, in: table).flatMap { tables($0, depth: depth + 1) }
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
        // A record reached twice (a table named again by a keyword argument, `dict(cfg=cfg)`) is one record.
        return Self.distinct(result)
    }

    /// Whether this use of a dictionary only reads it: an entry read (not written or deleted), a membership test,
    /// its keys listed (`sorted(REGISTRY)`, `choices=list(REGISTRY)`, `REGISTRY.keys()`, `REGISTRY.get(k)`) or walked
    /// (`for key in REGISTRY:`, also a comprehension's `for` clause).
    static func onlyReads(_ use: Node, _ parent: Node) -> Bool {
        switch parent.type {
        case "for_statement", "for_in_clause":
            return parent.child(byField: "right") == use
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
