import Parsing
import TreeSitterKit

/// Keyword arguments that reach a call through `**` unpacking of what its own function was given: a layer stack that
/// hands its `**kwargs` on (`Attention(dim, **kwargs)`), or the x-transformers habit of routing prefixed options
/// to each sublayer (`attn_kwargs = {k[len("attn_"):]: v for k, v in kwargs.items() if k.startswith("attn_")}`, then
/// `Attention(dim, **attn_kwargs)`, so that `attn_zero_init_output=True` given to the stack sets the attention's
/// `zero_init_output`).
extension PythonFacts {
    /// What the `**` arguments of a call carry for one keyword, over every way the call can be reached.
    public enum ForwardedKeyword {
        /// Some unpacked dictionary cannot be read (a function's callers cannot all be seen, a dictionary built at run
        /// time): the keyword may or may not be passed.
        case unknown
        /// The values passed for it (each with the call that names it), and whether some way of reaching the call
        /// passes nothing for it (then the parameter's default applies).
        case known(values: [(call: CallSite, value: Node)], sometimesAbsent: Bool)
    }

    /// The values `call`'s `**` arguments pass for `key`. A call without `**` passes nothing through them.
    public func forwardedKeyword(_ key: String, through call: CallSite, depth: Int = 0) -> ForwardedKeyword {
        guard call.hasSplat, let arguments = call.node.child(byField: "arguments") else { return .known(values: [], sometimesAbsent: true) }
        var values: [(call: CallSite, value: Node)] = []
        var absent = false
        for splat in arguments.namedChildren where splat.type == "dictionary_splat" {
            guard let expression = splat.namedChildren.first.map(unparenthesized) else { return .unknown }
            switch forwarded(key, from: expression, at: call, depth: depth) {
            case .unknown:
                return .unknown
            case let .known(found, sometimesAbsent):
                values += found
                absent = absent || sometimesAbsent || found.isEmpty
            }
        }
        return .known(values: values, sometimesAbsent: absent)
    }

    /// What one unpacked expression holds for `key`: the enclosing function's own `**kwargs`, a prefix-routed copy
    /// of it, a dictionary literal, or an entry of a nested configuration read by literal keys (see `keyedDictionaries`).
    /// `before`: where the expression is read, when that is earlier than the call (the dictionary as it was before an
    /// update merged the function's own `**kwargs` into it).
    private func forwarded(_ key: String, from expression: Node, at call: CallSite, before: Node? = nil, depth: Int) -> ForwardedKeyword {
        guard depth < 6 else { return .unknown }
        let use = before ?? call.node
        if expression.type == "dictionary" || (expression.type == "call" && callSite(expression).callee == "dict") {
            return literalEntry(key, in: expression, at: call, depth: depth)
        }
        // An entry of a nested configuration read by literal keys (`**opt_cfg["head"]["kw"]`): that entry's dictionaries.
        if expression.type == "subscript" {
            guard let tables = keyedDictionaries(expression, depth: 0) else { return .unknown }
            var values: [(call: CallSite, value: Node)] = []
            var absent = false
            for table in tables {
                switch literalEntry(key, in: table, at: call, depth: depth) {
                case .unknown: return .unknown
                case let .known(found, sometimesAbsent):
                    values += found
                    absent = absent || sometimesAbsent
                }
            }
            return .known(values: values, sometimesAbsent: absent)
        }
        guard expression.type == "identifier" else { return .unknown }
        guard let function = enclosingFunction(call.node) else {
            // A module-level spread of a dictionary the module writes out (`make_schedule(**RAMP)`, `RAMP = dict(...)`).
            guard let bound = latestValue(of: expression.text, before: use).map(unparenthesized),
                  bound.type == "dictionary" || (bound.type == "call" && callSite(bound).callee == "dict") else { return .unknown }
            // (A dictionary changed anywhere, `RAMP["warmup"] = 5` or `RAMP.update(...)`, may pass anything.)
            let changed = (identifiersByName[expression.text] ?? []).contains { use in
                guard let parent = use.parent else { return false }
                if parent.type == "subscript", parent.child(byField: "value") == use, let write = parent.parent,
                   ["assignment", "augmented_assignment"].contains(write.type), write.child(byField: "left") == parent { return true }
                return parent.type == "attribute" && parent.child(byField: "object") == use
                    && ["update", "pop", "setdefault", "clear", "popitem", "__setitem__"].contains(parent.child(byField: "attribute")?.text ?? "")
            }
            return changed ? .unknown : literalEntry(key, in: bound, at: call, depth: depth)
        }
        switch mutation(of: expression.text, key: key, in: function, before: use) {
        case .removed?: return .known(values: [], sometimesAbsent: true)
        case .set(let value)?: return .known(values: [(call, value)], sometimesAbsent: false)
        case .unknown?: return .unknown
        case .mergedKeywords(let update)?:
            // `cfg.update(kwargs)`: what the function's callers pass for the key wins; where some pass nothing, the entry
            // the dictionary held before the update stays.
            guard case let .known(passed, absent) = passedToFunction(function, key: key, depth: depth) else { return .unknown }
            if !absent, !passed.isEmpty { return .known(values: passed, sometimesAbsent: false) }
            guard case let .known(earlier, earlierAbsent) = forwarded(key, from: expression, at: call, before: update, depth: depth + 1)
            else { return .unknown }
            return .known(values: passed + earlier, sometimesAbsent: earlierAbsent)
        case nil: break
        }
        if keywordsParameter(of: function) == expression.text, latestValue(of: expression.text, before: use) == nil {
            return passedToFunction(function, key: key, depth: depth)
        }
        // A name unpacked from a helper that splits the function's `**kwargs` by a prefix (`attn_kwargs, kwargs =
        // groupby_prefix_and_trim("attn_", kwargs)`, see `prefixSplitRoute`): the prefixed entries, trimmed, or the rest.
        if let split = prefixSplitRoute(expression.text, before: use), split.source == keywordsParameter(of: function) {
            if split.routed { return passedToFunction(function, key: split.prefix + key, depth: depth) }
            return key.hasPrefix(split.prefix) ? .known(values: [], sometimesAbsent: true) : passedToFunction(function, key: key, depth: depth)
        }
        guard let bound = latestValue(of: expression.text, before: use).map(unparenthesized) else { return .unknown }
        if bound.type == "dictionary" || (bound.type == "call" && callSite(bound).callee == "dict") {
            return literalEntry(key, in: bound, at: call, depth: depth)
        }
        guard let route = prefixRoute(bound), route.source == keywordsParameter(of: function) else { return .unknown }
        if route.trimmed { return passedToFunction(function, key: route.prefix + key, depth: depth) }
        return key.hasPrefix(route.prefix) ? passedToFunction(function, key: key, depth: depth) : .known(values: [], sometimesAbsent: true)
    }

    /// How a function changes a dictionary before passing it on, as far as one key goes.
    enum KeyChange {
        /// `kwargs.pop("key", ...)`, `del kwargs["key"]`: not passed.
        case removed
        /// `kwargs["key"] = value`, `kwargs.update(key=value)`, the last such write: that value is passed.
        case set(Node)
        /// A change that may touch the key in a way not read here (a computed key, `update(other)`, `setdefault`).
        case unknown
        /// `d.update(kwargs)` / `d.update(**kwargs)` with `kwargs` the function's own `**` parameter, unchanged: the
        /// entry its callers pass, else the one before this update (the call node).
        case mergedKeywords(Node)
    }

    /// The last change a function makes to dictionary `name` for `key` before `use`; nil when it changes no entry of
    /// that key (changes of other keys count for nothing).
    func mutation(of name: String, key: String, in function: Function, before use: Node) -> KeyChange? {
        var change: KeyChange?
        for n in descendants(of: function.node) where n.startByte < use.startByte {
            switch n.type {
            case "call":
                let call = callSite(n)
                guard call.receiver?.type == "identifier", call.receiver?.text == name else { continue }
                let named = call.positional.first.flatMap(SettingsTable.stringValue)
                switch call.name {
                case "pop": if named == key { change = .removed } else if named == nil { change = .unknown }
                case "setdefault", "__setitem__": if named == key || named == nil { change = .unknown }
                case "update":
                    if call.positional.isEmpty, !call.hasSplat {
                        if let value = call.keywords[key] { change = .set(value) }
                    } else if mergesOwnKeywords(call, in: function) {
                        change = .mergedKeywords(n)
                    } else {
                        change = .unknown
                    }
                case "clear", "popitem", "__delitem__": change = .unknown
                default: continue
                }
            case "assignment", "augmented_assignment":
                guard let left = n.child(byField: "left"), left.type == "subscript", left.child(byField: "value")?.text == name else { continue }
                let named = left.child(byField: "subscript").flatMap(SettingsTable.stringValue)
                if named == key, n.type == "assignment", let right = n.child(byField: "right") { change = .set(right) }
                else if named == key || named == nil { change = .unknown }
            case "delete_statement":
                for target in descendants(of: n) where target.type == "subscript" && target.child(byField: "value")?.text == name {
                    let named = target.child(byField: "subscript").flatMap(SettingsTable.stringValue)
                    if named == key { change = .removed } else if named == nil { change = .unknown }
                }
            default:
                continue
            }
        }
        return change
    }

    /// Whether an `update` call merges in the function's own `**` parameter and nothing else (`cfg.update(kwargs)`,
    /// `cfg.update(**kwargs)`), that parameter not rebound or changed before the call.
    private func mergesOwnKeywords(_ update: CallSite, in function: Function) -> Bool {
        guard update.keywords.isEmpty, let own = keywordsParameter(of: function),
              let arguments = update.node.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }),
              arguments.count == 1 else { return false }
        let argument = arguments[0].type == "dictionary_splat" ? arguments[0].namedChildren.first.map(unparenthesized) : unparenthesized(arguments[0])
        guard let argument, argument.type == "identifier", argument.text == own,
              latestValue(of: own, before: update.node) == nil else { return false }
        // Changed before the merge (`kwargs.pop(...)`, `kwargs[k] = v`): what it merges is not what callers passed.
        return !descendants(of: function.node).contains { n in
            guard n.startByte < update.node.startByte else { return false }
            if n.type == "call", case let c = callSite(n), c.receiver?.type == "identifier", c.receiver?.text == own { return true }
            if n.type == "subscript", n.child(byField: "value")?.text == own, let parent = n.parent,
               ["assignment", "augmented_assignment", "delete_statement"].contains(parent.type) { return true }
            return false
        }
    }

    /// The dictionaries (literals or `dict(...)`) an entry of a nested configuration read by literal keys denotes
    /// (`opt_cfg["embed_head"]["kw"]` with `opt_cfg = {"embed_head": dict(kind="adamw", kw=dict(lr=...)), ...}`): the
    /// root name's value before the read, or for a parameter what every caller passes (a configuration handed to a
    /// method, `model.configure_optimizers(opt_cfg)`), then the entry of each key in turn. Nil when some step cannot be
    /// read (a key missing or computed, a root not set to a dictionary) or when the root is changed in place anywhere
    /// (`cfg["head"]["kw"]["lr"] = ...`, `cfg["head"].update(...)`), so that the caller treats the entry as unknown.
    func keyedDictionaries(_ expression: Node, depth: Int) -> [Node]? {
        guard depth < 8 else { return nil }
        let n = unparenthesized(expression)
        if n.type == "dictionary" || (n.type == "call" && callSite(n).callee == "dict") { return [n] }
        if n.type == "identifier" {
            if let bound = latestValue(of: n.text, before: n) { return keyedDictionaries(bound, depth: depth + 1) }
            let passed = callerArguments(of: n)
            guard !passed.isEmpty else { return nil }
            var found: [Node] = []
            for argument in passed {
                guard let dictionaries = keyedDictionaries(argument, depth: depth + 1) else { return nil }
                found += dictionaries
            }
            return found
        }
        guard n.type == "subscript", let table = n.child(byField: "value"),
              let key = n.child(byField: "subscript").map(unwrapped).flatMap(PythonFacts.bucketKey) else { return nil }
        // Changed in place somewhere: the written-out entries may not be what is read.
        var root = unparenthesized(table)
        while root.type == "subscript", let inner = root.child(byField: "value") { root = unparenthesized(inner) }
        if root.type == "identifier", changedInPlace(root.text) { return nil }
        guard let outer = keyedDictionaries(table, depth: depth + 1) else { return nil }
        var found: [Node] = []
        for dictionary in outer {
            let entries = dictionaryEntries(of: dictionary, key: key)
            guard entries.count == 1, let inner = keyedDictionaries(entries[0], depth: depth + 1) else { return nil }
            found += inner
        }
        return found
    }

    /// Whether a dictionary held by `name` (or one nested in it) is written through a subscript (`name["a"]["b"] = v`,
    /// `name["a"] += v`, `del name["a"]`) or changed by a method call on it or on an entry of it (`name["a"].update(...)`,
    /// `name.pop("a")`), anywhere in the file.
    func changedInPlace(_ name: String) -> Bool {
        func rooted(_ node: Node) -> Bool {
            var n = unparenthesized(node)
            var subscripted = false
            while n.type == "subscript", let inner = n.child(byField: "value") { n = unparenthesized(inner); subscripted = true }
            return subscripted && n.type == "identifier" && n.text == name
        }
        for assignment in nodes(ofType: "assignment") + nodes(ofType: "augmented_assignment") {
            if let left = assignment.child(byField: "left"), rooted(left) { return true }
        }
        for statement in nodes(ofType: "delete_statement") where descendants(of: statement).contains(where: rooted) { return true }
        let mutators: Set<String> = ["update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"]
        return calls.contains { call in
            guard mutators.contains(call.name), let receiver = call.receiver.map(unparenthesized) else { return false }
            return (receiver.type == "identifier" && receiver.text == name) || rooted(receiver)
        }
    }

    /// A dictionary written out (`{...}` or `dict(...)`): its entry for `key`, read like Python builds it, later parts
    /// overriding earlier ones: `dict(base, **extra, k=v)` starts from the mapping `base`, then `**extra` and the
    /// keywords in order; `{**base, "k": v}` in the order written. A part that unpacks another dictionary is read as
    /// `forwarded` reads a spread (a local dictionary, the function's `**kwargs` and what its callers pass); where it may
    /// leave the key out, earlier parts count too. Unknown when such a part cannot be read.
    private func literalEntry(_ key: String, in dictionary: Node, at call: CallSite, depth: Int) -> ForwardedKeyword {
        // The parts in order: an explicit entry (its value) or a mapping unpacked into the dictionary.
        enum Part { case entry(Node), mapping(Node) }
        var parts: [Part] = []
        if dictionary.type == "dictionary" {
            for child in dictionary.namedChildren {
                if child.type == "pair", let name = child.child(byField: "key"), let value = child.child(byField: "value") {
                    if SettingsTable.stringValue(name) == key {
                        parts.append(.entry(value))
                    } else if SettingsTable.stringValue(name) == nil {
                        return .unknown  // a computed key may be this one
                    }
                } else if child.type == "dictionary_splat", let inner = child.namedChildren.first {
                    parts.append(.mapping(unparenthesized(inner)))
                } else if child.type == "dictionary_comprehension" {
                    return .unknown
                }
            }
        } else if let arguments = dictionary.child(byField: "arguments") {
            for argument in arguments.namedChildren where argument.type != "comment" {
                switch argument.type {
                case "keyword_argument":
                    if argument.child(byField: "name")?.text == key, let value = argument.child(byField: "value") { parts.append(.entry(value)) }
                case "dictionary_splat":
                    if let inner = argument.namedChildren.first { parts.append(.mapping(unparenthesized(inner))) }
                case "list_splat":
                    return .unknown
                default:
                    // `dict(base)`: the mapping it copies (only the first positional argument is one).
                    guard parts.isEmpty else { return .unknown }
                    parts.append(.mapping(unparenthesized(argument)))
                }
            }
        }
        var values: [(call: CallSite, value: Node)] = []
        for part in parts.reversed() {
            switch part {
            case .entry(let value):
                return .known(values: values + [(call, value)], sometimesAbsent: false)
            case .mapping(let mapping):
                // The mapping as it is where the dictionary is written (`kw = {"std": s, **kw}` spreads the `kw` of
                // before that line, not this dictionary itself).
                guard case let .known(found, absent) = forwarded(key, from: mapping, at: call, before: dictionary, depth: depth + 1) else { return .unknown }
                values += found
                if !absent, !found.isEmpty { return .known(values: values, sometimesAbsent: false) }
            }
        }
        return .known(values: values, sometimesAbsent: true)
    }

    /// What a `**kwargs` dictionary read by key (`kwargs.get("lr", 1e-3)`) holds for it: nil unless `name` is the
    /// `**` parameter of the function around `use`, unchanged there for that key.
    public func keywordsParameterEntry(_ key: String, name: String, at use: Node) -> ForwardedKeyword? {
        guard let function = enclosingFunction(use), keywordsParameter(of: function) == name,
              latestValue(of: name, before: use) == nil else { return nil }
        switch mutation(of: name, key: key, in: function, before: use) {
        case .removed?: return .known(values: [], sometimesAbsent: true)
        case .set(let value)?: return .known(values: [(callSite(use), value)], sometimesAbsent: false)
        case .unknown?, .mergedKeywords?: return .unknown
        case nil: return passedToFunction(function, key: key, depth: 0)
        }
    }

    /// What one call of `function` passes for an entry its `**kwargs` is read by literal key (`kw["lr"]`, `kw.get("lr",
    /// 1e-3)`, `kw.pop("lr", 1e-3)`) where the function has not changed that entry: the keyword the call names, else what the call's own `**`
    /// arguments carry for it (see `forwardedKeyword`), with the `get`'s fallback when they may pass nothing. Nil when the
    /// expression reads no such entry, the call's spreads cannot be read, or nothing is found.
    public func keywordsEntry(_ expression: Node, of function: Function, passedBy call: CallSite) -> [Node]? {
        let e = unwrapped(expression)
        var holder: Node?
        var key: String?
        var fallback: Node?
        if e.type == "subscript" {
            holder = e.child(byField: "value")
            key = e.child(byField: "subscript").map(unwrapped).flatMap(SettingsTable.stringValue)
        } else if e.type == "call", case let get = callSite(e), ["get", "pop"].contains(get.name), let first = get.positional.first {
            holder = get.receiver
            key = SettingsTable.stringValue(unwrapped(first))
            fallback = get.positional.count > 1 ? get.positional[1] : nil
        }
        guard let holder = holder.map(unwrapped), holder.type == "identifier", let key,
              keywordsParameter(of: function) == holder.text, enclosingFunction(e)?.node == function.node,
              latestValue(of: holder.text, before: e) == nil,
              mutation(of: holder.text, key: key, in: function, before: e) == nil else { return nil }
        if let value = call.keywords[key] { return [value] }
        guard case let .known(found, absent) = forwardedKeyword(key, through: call) else { return nil }
        var values: [Node] = found.map { $0.value }
        if absent, let fallback { values.append(fallback) }
        return values.isEmpty ? nil : values
    }

    /// What the callers of a function pass for `key` into its `**kwargs`: the keyword each names, or what their own
    /// `**` arguments carry. Unknown unless every call of the function can be seen (its name is used only to call it).
    /// A method other than `__init__` is called on objects (`builder.with_adam_options(eps=1e-10)`, also in a chain)
    /// when no other function of the file has its name.
    private func passedToFunction(_ function: Function, key: String, depth: Int) -> ForwardedKeyword {
        let sites: [CallSite]
        if function.name == "__init__" {
            guard enclosingClass(function.node) != nil else { return .unknown }
            sites = initializerCalls(of: function).map(\.call)
        } else if let owner = enclosingClass(function.node) {
            // Every call of its name is made on an object of its class (see `holdsInstance`).
            guard function.receiver != nil, functions.filter({ $0.name == function.name }).count == 1 else { return .unknown }
            sites = calls(named: function.name).filter { $0.receiver != nil }
            guard sites.allSatisfy({ $0.receiver.map { holdsInstance($0, of: owner) } == true }) else { return .unknown }
        } else {
            sites = calls(named: function.name).filter { $0.receiver == nil }
            // A module function of a script read alone that nothing names (no call, no decorator filing it; in the
            // configured program, a registry accessor once its reads are written as the entries they select) never
            // runs: its calls pass nothing.
            if sites.isEmpty, sharedSettings == nil, function.decorators.isEmpty, function.node.parent?.type == "module",
               (identifiersByName[function.name] ?? []).allSatisfy({ $0 == function.node.child(byField: "name") }) {
                return .known(values: [], sometimesAbsent: false)
            }
        }
        guard !sites.isEmpty else { return .unknown }
        var values: [(call: CallSite, value: Node)] = []
        var absent = false
        for site in sites {
            if let value = site.keywords[key] {
                values.append((site, value))
                continue
            }
            switch forwardedKeyword(key, through: site, depth: depth + 1) {
            case .unknown:
                return .unknown
            case let .known(found, sometimesAbsent):
                values += found
                absent = absent || sometimesAbsent || found.isEmpty
            }
        }
        return .known(values: values, sometimesAbsent: absent)
    }

    /// The values a dictionary held by a name or by an attribute of `self` is given for `key` after it is made, in file
    /// order: `d.update(key=v)`, `d.update({"key": v})`, `d["key"] = v`, `d[k] = v` in a loop whose entry keyed `key`
    /// gives `v` (`for k, v in (("key", x), ...)`, `for k, v in T.items()`; see `loopedEntries`), and `d.update(kw)` / `d.update(**kw)` with `kw`
    /// the `**` parameter of the function doing it, then what the calls of that function pass for `key` (a builder's
    /// `def with_adam_options(self, **kw): self._adam_kw.update(kw)`, run as `.with_adam_options(eps=1e-10)`). A name
    /// is the same dictionary in the same function (or at module level), an attribute of `self` in the same class.
    /// With `computedKeys`, also `d[k] = v` with `k` a name (`streams[name] = t` in a loop over names), which may
    /// write any key.
    public func dictionaryWrites(_ key: String, into source: Node, computedKeys: Bool = false) -> [Node] {
        let target = unwrapped(source)
        let onSelf = target.type == "attribute" && target.child(byField: "object")?.text == "self"
        guard target.type == "identifier" || onSelf, let name = SettingsTable.bareName(of: target) else { return [] }
        return memoized("dictionaryWrites/\(key)/\(computedKeys)/\(target.startByte)/\(target.endByte)") {
            collectDictionaryWrites(key, into: target, name: name, onSelf: onSelf, computedKeys: computedKeys)
        }
    }

    private func collectDictionaryWrites(_ key: String, into target: Node, name: String, onSelf: Bool, computedKeys: Bool) -> [Node] {
        let owner = onSelf ? enclosingClass(target)?.node : nil
        let scope = onSelf ? nil : enclosingFunction(target)?.node
        func same(_ node: Node) -> Bool {
            let n = unwrapped(node)
            if onSelf {
                return n.type == "attribute" && n.child(byField: "object")?.text == "self" && n.child(byField: "attribute")?.text == name
                    && enclosingClass(n)?.node == owner
            }
            return n.type == "identifier" && n.text == name && enclosingFunction(n)?.node == scope
        }
        var writes: [Node] = []
        for call in calls(named: "update") {
            guard let receiver = call.receiver, same(receiver) else { continue }
            if let value = call.keywords[key] {
                writes.append(value)
                continue
            }
            var sources = call.positional.map(unwrapped)
            for splat in call.node.child(byField: "arguments")?.namedChildren ?? [] where splat.type == "dictionary_splat" {
                if let inner = splat.namedChildren.first { sources.append(unwrapped(inner)) }
            }
            for dictionary in sources {
                if dictionary.type == "dictionary" || (dictionary.type == "call" && callSite(dictionary).callee == "dict") {
                    if let entry = OptimizerUse.entry(key, in: dictionary) { writes.append(entry) }
                } else if dictionary.type == "identifier", let function = enclosingFunction(call.node),
                          keywordsParameter(of: function) == dictionary.text,
                          case let .known(passed, _) = passedToFunction(function, key: key, depth: 0) {
                    writes += passed.map { $0.value }
                }
            }
        }
        for assignment in nodes(ofType: "assignment") {
            guard let left = assignment.child(byField: "left"), left.type == "subscript", let held = left.child(byField: "value"), same(held),
                  let written = left.child(byField: "subscript").map(unwrapped),
                  let right = assignment.child(byField: "right") else { continue }
            if SettingsTable.stringValue(written) == key || (computedKeys && written.type == "identifier") {
                writes.append(right)
                continue
            }
            // Written in a loop over entries (`for k, v in (("gradient_as_bucket_view", True), ...): opts[k] = v`, or
            // over a dictionary's items, see `loopedEntries`): the value of the entry whose key is `key`.
            for entry in loopedEntries(written) where SettingsTable.stringValue(unwrapped(entry.key)) == key {
                if let value = loopedValue(right, of: entry) { writes.append(value) }
            }
        }
        return writes.sorted { $0.startByte < $1.startByte }
    }

    /// The entry `key` of a configuration document the script loads from a string (see `EmbeddedConfigDocuments`)
    /// that `source` stands for: the load itself (`json.loads('{"gradient_as_bucket_view": true}')`, `yaml.safe_load`,
    /// `tomllib.loads` of a literal or of a name set to one), a name set to the load (see `origins`), or one of its
    /// tables read by literal keys (`cfg["ddp"]` with `cfg = tomllib.loads(TOML)` reads the entry `ddp.<key>`). Nil
    /// when `source` is no such load; `entry` is nil when the document has no entry `key` at that level (the load is
    /// known to hold none). gin bindings set parameters, not dictionary entries, and are never read here.
    public func embeddedDocumentEntry(_ key: String, of source: Node, depth: Int = 0) -> (document: Node, entry: Node?)? {
        guard depth < 4 else { return nil }
        let expression = unwrapped(source)
        if expression.type == "subscript", let table = expression.child(byField: "value"),
           let part = expression.child(byField: "subscript").flatMap(SettingsTable.stringValue) {
            return embeddedDocumentEntry("\(part).\(key)", of: table, depth: depth + 1)
        }
        for origin in origins(of: expression) {
            if origin.type == "subscript", origin != expression {
                if let found = embeddedDocumentEntry(key, of: origin, depth: depth + 1) { return found }
                continue
            }
            guard origin.type == "call", case let load = callSite(origin), load.callee != "gin.parse_config",
                  EmbeddedConfigDocuments.loaders.contains(load.callee), let text = load.positional.first,
                  let document = EmbeddedConfigDocuments.literal(text, self, depth: 0) else { continue }
            let bare = key.split(separator: ".").last.map(String.init) ?? key
            let entry = allSettings.settings(bare).first { $0.site == document && $0.written == key }?.value
            return (document, entry)
        }
        return nil
    }

    /// The entries a mapping holds when each one is written out where it is made, in the order written: a dictionary
    /// literal with string keys or `dict(...)` of keywords (or a name or field set to one, see `dictionaries`); the `**`
    /// parameter of an `__init__`, or `self.<field>` that the class sets only to it (`def __init__(self, **toggles):
    /// self.toggles = toggles`), as the keywords of the class's one construction; and `self` in a method of a class of
    /// the file that subclasses `dict` (or `OrderedDict`, `UserDict`) with no `__init__` of its own (`class
    /// AllocatorSettings(dict)`), as the keywords of its one construction (`AllocatorSettings(expandable_segments=True)`).
    /// Nil when some entry is not written out
    /// (a `**` spread, a positional argument, a key that is no string), when the class is built more than once or has
    /// subclasses in the file, and when the mapping is written into after it is made (`kw["x"] = ...`,
    /// `self.toggles.update(...)`, `self["x"] = ...`).
    public func mappingEntries(_ node: Node, depth: Int = 0) -> [(key: String, value: Node)]? {
        let n = unwrapped(node)
        guard depth < 4 else { return nil }
        if n.type == "dictionary" || (n.type == "call" && callSite(n).callee == "dict") { return writtenEntries(n) }
        switch n.type {
        case "identifier":
            guard let function = enclosingFunction(n), let owner = enclosingClass(function.node) else { break }
            if function.receiver == n.text {
                // `self` of a `dict` subclass: the keywords it is built with.
                guard owner.bases.contains(where: { ["dict", "OrderedDict", "UserDict"].contains($0.lastDottedComponent) }),
                      initializer(of: owner) == nil, !writesIntoSelf(owner) else { return nil }
                return constructionKeywords(of: owner)
            }
            guard function.name == "__init__", keywordsParameter(of: function) == n.text, latestValue(of: n.text, before: n) == nil
            else { break }
            guard let entries = constructionKeywords(of: owner),
                  entries.allSatisfy({ mutation(of: n.text, key: $0.key, in: function, before: n) == nil }) else { return nil }
            return entries
        case "attribute" where n.child(byField: "object")?.text == "self":
            // `self.toggles`, set once to a mapping (the `**` parameter of `__init__`) and never written into.
            guard let name = n.child(byField: "attribute")?.text,
                  let owner = enclosingClass(n), case let values = selfAssignedValues(name, in: owner), values.count == 1,
                  let entries = mappingEntries(values[0], depth: depth + 1),
                  entries.allSatisfy({ dictionaryWrites($0.key, into: n, computedKeys: true).isEmpty }) else { return nil }
            return entries
        default:
            break
        }
        let named = dictionaries(n)
        return named.count == 1 ? writtenEntries(named[0]) : nil
    }

    /// The entries of a dictionary literal with string keys or of `dict(...)` of keywords, in the order written; nil
    /// when one is not written out (a `**` spread, a positional argument, a key that is no string).
    private func writtenEntries(_ dictionary: Node) -> [(key: String, value: Node)]? {
        var entries: [(key: String, value: Node)] = []
        if dictionary.type == "dictionary" {
            for child in dictionary.namedChildren where child.type != "comment" {
                guard child.type == "pair", let k = child.child(byField: "key").flatMap(SettingsTable.stringValue),
                      let v = child.child(byField: "value") else { return nil }
                entries.append((k, v))
            }
            return entries
        }
        guard let arguments = dictionary.child(byField: "arguments") else { return nil }
        for argument in arguments.namedChildren where argument.type != "comment" {
            guard argument.type == "keyword_argument", let k = argument.child(byField: "name")?.text,
                  let v = argument.child(byField: "value") else { return nil }
            entries.append((k, v))
        }
        return entries
    }

    /// The keywords of the one construction of `owner` in the file (`Owner(a=1, b=2)` or `cls(...)` in its class
    /// methods), in the order written; nil when it is built more than once or never, with positional or `**`
    /// arguments, or when a class of the file derives from it (an object of that subclass may be meant).
    private func constructionKeywords(of owner: Class) -> [(key: String, value: Node)]? {
        guard !classes.contains(where: { c in c.node != owner.node && lineage(of: c).contains { $0.node == owner.node } }) else { return nil }
        let sites = (calls(named: owner.name) + calls(named: "cls")).filter { constructs($0, owner.name) }
        guard sites.count == 1, sites[0].positional.isEmpty, !sites[0].hasSplat else { return nil }
        return sites[0].keywords.map { (key: $0.key, value: $0.value) }.sorted { $0.value.startByte < $1.value.startByte }
    }

    /// Whether a class's methods write into the object as a mapping: `self[k] = v`, `del self[k]`, or `self.update(...)`
    /// (also `setdefault`, `pop`, `popitem`, `clear`, `__setitem__`, `__delitem__`).
    private func writesIntoSelf(_ owner: Class) -> Bool {
        let changing: Set<String> = ["update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"]
        return descendants(of: owner.node).contains { n in
            if n.type == "subscript", n.child(byField: "value")?.text == "self",
               let parent = n.parent, (parent.type == "assignment" || parent.type == "augmented_assignment") && parent.child(byField: "left") == n
                || parent.type == "delete_statement" {
                return true
            }
            guard n.type == "call", case let call = callSite(n), call.receiver?.text == "self" else { return false }
            return changing.contains(call.name)
        }
    }

    /// The name of a function's `**` parameter.
    func keywordsParameter(of function: Function) -> String? {
        guard let parameters = function.node.child(byField: "parameters") else { return nil }
        for parameter in parameters.namedChildren where parameter.type == "dictionary_splat_pattern" {
            return parameter.namedChildren.first { $0.type == "identifier" }?.text
        }
        return nil
    }

    /// A dictionary comprehension that keeps the entries of another dictionary whose key starts with a prefix:
    /// `{k[len("attn_"):]: v for k, v in kwargs.items() if k.startswith("attn_")}` (trimmed: `attn_x` becomes `x`;
    /// also `k.removeprefix("attn_")` and `k[5:]`), or `{k: v ... if k.startswith("attn_")}` (kept whole).
    func prefixRoute(_ node: Node) -> (source: String, prefix: String, trimmed: Bool)? {
        guard node.type == "dictionary_comprehension", let body = node.child(byField: "body"), body.type == "pair",
              let keyExpression = body.child(byField: "key").map(unparenthesized),
              let loop = node.namedChildren.first(where: { $0.type == "for_in_clause" }),
              let left = loop.child(byField: "left"), case let names = left.namedChildren.filter({ $0.type == "identifier" }).map(\.text),
              names.count == 2, let keyName = names.first,
              // The entry keeps the value it was given (`{...: v for k, v in ...}`, not `not v` or a constant).
              let value = body.child(byField: "value").map(unparenthesized), value.type == "identifier", value.text == names[1],
              let iterable = loop.child(byField: "right").map(unparenthesized), iterable.type == "call" else { return nil }
        let items = callSite(iterable)
        guard items.name == "items", let source = items.receiver, source.type == "identifier" else { return nil }
        var prefix: String?
        for clause in node.namedChildren where clause.type == "if_clause" {
            // The filter is the test itself or one conjunct of an `and` (a negated or alternative test is another route).
            var tests = clause.namedChildren.map(unparenthesized)
            while let conjunction = tests.first(where: { $0.type == "boolean_operator" && $0.child(byField: "operator")?.type == "and" }) {
                tests.removeAll { $0 == conjunction }
                tests += [conjunction.child(byField: "left"), conjunction.child(byField: "right")].compactMap { $0.map(unparenthesized) }
            }
            for n in tests where n.type == "call" {
                let test = callSite(n)
                if test.name == "startswith", test.receiver?.text == keyName, let first = test.positional.first,
                   let text = SettingsTable.stringValue(first) {
                    prefix = text
                }
            }
        }
        guard let prefix else { return nil }
        if keyExpression.type == "identifier", keyExpression.text == keyName { return (source.text, prefix, false) }
        if keyExpression.type == "call" {
            let trim = callSite(keyExpression)
            if trim.name == "removeprefix", trim.receiver?.text == keyName, trim.positional.first.flatMap(SettingsTable.stringValue) == prefix {
                return (source.text, prefix, true)
            }
            return nil
        }
        // `k[len("attn_"):]` or `k[5:]`.
        guard keyExpression.type == "subscript", keyExpression.child(byField: "value")?.text == keyName,
              let slice = keyExpression.child(byField: "subscript"), slice.type == "slice",
              let start = slice.namedChildren.first, slice.text.hasSuffix(":") else { return nil }
        if start.type == "integer", Int(start.text) == prefix.utf8.count { return (source.text, prefix, true) }
        if start.type == "call", callSite(start).callee == "len", callSite(start).positional.first.flatMap(SettingsTable.stringValue) == prefix {
            return (source.text, prefix, true)
        }
        return nil
    }
}
