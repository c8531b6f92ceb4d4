import Parsing
import TreeSitterKit

/// How a tensor was computed, walking back from a use: every call and operator on the way (`steps`), and the
/// projections where the walk stopped (`projections`: calls of linear layers, `F.linear`, a product with a model
/// weight). The walk follows local names to their latest assignment before the use (unpacking, loops and
/// comprehensions included), entries of dictionaries by key (see `PythonFacts.lineage`), a parameter to the arguments its function's callers pass, method chains to their
/// receiver (`.view`, `.transpose`, ...), and calls to their positional arguments; it does not cross a projection
/// or module state.
public struct Lineage {
    public var steps: [Node] = []
    public var projections: [Node] = []
    /// Projection modules reached through a loop over modules (`for lin in (self.c_q, self.c_k)`).
    public var projectionModules: [Node] = []
    /// For steps reached through a dictionary's entry read by a key variable (`heads[role]` in `{role: norms[role](t)
    /// for role, t in heads.items()}`), the keys those variables stood for on the way (`role`: "q").
    public var stepKeys: [Node: [String: String]] = [:]

    /// The keys variables stood for where the walk reached a step (empty when no keyed read led there).
    public func keys(at step: Node) -> [String: String] { stepKeys[step] ?? [:] }
}


extension PythonFacts {
    /// Methods that return the same values rearranged or cast: the walk goes on to their receiver.
    static let rearrangingMethods: Set<String> = [
        "view", "view_as", "reshape", "reshape_as", "transpose", "permute", "contiguous", "type_as", "to", "float",
        "bfloat16", "half", "double", "unflatten", "flatten", "split", "chunk", "unbind", "squeeze", "unsqueeze",
        "expand", "expand_as", "clone", "detach", "tensor_split", "movedim", "swapaxes", "t", "type",
    ]

    /// One place the lineage walk has to visit: an expression, the keys that variables stand for there (see
    /// `Lineage.stepKeys`), and the entry wanted when the expression is a dictionary (`heads` in `heads["q"]`).
    private struct LineageItem: Hashable {
        let node: Node
        let keys: [String: String]
        let wanted: String?
    }

    /// The lineage of an expression (see `Lineage`): inside its function, and through a parameter to what the
    /// function's callers pass. Dictionaries are read by key: `heads["q"]` (or `heads[role]` where `role` stands for
    /// "q") follows the entry "q" of the dictionary literal or comprehension `heads` holds, and the writes of that key
    /// made before the read (`heads[role] = rotate(heads[role])` in a loop over keys that include "q"); a variable
    /// unpacked from a comprehension over keys written out (`q, k, v = (heads[r] for r in ("q", "k", "v"))`) stands
    /// for its key, and a loop over `d.items()` binds its value variable to the entry of the key it stands for.
    public func lineage(of start: Node, model: ModelView, flow: Dataflow, limit: Int = 400) -> Lineage {
        var result = Lineage()
        var stack = [LineageItem(node: start, keys: [:], wanted: nil)]
        var seen = Set<LineageItem>()
        var budget = limit
        let scope = enclosingFunction(start)?.node
        while let item = stack.popLast(), budget > 0 {
            budget -= 1
            let n = unparenthesized(item.node)
            guard seen.insert(LineageItem(node: n, keys: item.keys, wanted: item.wanted)).inserted else { continue }
            let keys = item.keys
            func push(_ node: Node, wanted: String? = nil, binding: [String: String] = [:]) {
                stack.append(LineageItem(node: node, keys: binding.isEmpty ? keys : keys.merging(binding) { _, new in new }, wanted: wanted))
            }
            switch n.type {
            case "identifier":
                // A key variable stands for a string.
                if keys[n.text] != nil { continue }
                if let keyed = keyedBinding(of: n, keys: keys, flow: flow) {
                    push(keyed.node, wanted: keyed.wanted, binding: keyed.binding)
                    continue
                }
                let bound = boundValues(of: n, scope: scope, flow: flow)
                for value in bound { push(value, wanted: item.wanted) }
                if bound.isEmpty {
                    // A parameter (`def attend(self, q, k, v): return F.sdpa(q, k, v)`): what the callers pass.
                    for argument in parameterArguments(of: n, flow: flow) { push(argument, wanted: item.wanted) }
                }
            case "attribute":
                // Module state (`self.cos`) ends the walk; `q.T`, `x.mT` go on to the tensor.
                guard let object = n.child(byField: "object") else { continue }
                if isReferenceChain(n), n.text.hasPrefix("self.") { continue }
                push(object)
            case "subscript":
                guard let value = n.child(byField: "value") else { continue }
                let index = n.child(byField: "subscript").map(unwrapped)
                let key = index.flatMap { i in SettingsTable.stringValue(i) ?? (i.type == "identifier" ? keys[i.text] : nil) }
                // A dictionary filled by key before the read (`streams[name] = t` in a loop, then `streams["q"]`): what is
                // written under that key, or under a computed one (see `dictionaryWrites`, `keyedWrites`).
                if let key {
                    push(value, wanted: key)
                    for write in keyedWrites(key, into: value, before: n) { push(write.node, binding: write.binding) }
                } else if let index, index.type == "identifier", let walked = iteratedKeys(index, flow: flow) {
                    // Read under a loop variable over keys written out (`h[r]` in `for r, fn in norms.items()`): each of
                    // them, with the variable standing for it.
                    for each in walked {
                        push(value, wanted: each, binding: [index.text: each])
                        for write in keyedWrites(each, into: value, before: n) {
                            push(write.node, binding: write.binding.merging([index.text: each]) { kept, _ in kept })
                        }
                    }
                } else {
                    push(value)
                }
            case "dictionary":
                for pair in n.namedChildren where pair.type == "pair" {
                    guard let value = pair.child(byField: "value") else { continue }
                    if let wanted = item.wanted, pair.child(byField: "key").flatMap({ SettingsTable.stringValue(unwrapped($0)) }) != wanted { continue }
                    push(value)
                }
            case "dictionary_comprehension":
                guard let pair = n.child(byField: "body"), let value = pair.child(byField: "value") else { continue }
                if let wanted = item.wanted, let variable = pair.child(byField: "key"), variable.type == "identifier" {
                    // The entry of one key: the value with the key variable standing for it (when the keys the
                    // comprehension walks are written out, only if it is one of them).
                    let clause = n.namedChildren.first { $0.type == "for_in_clause" && loopKeys($0, variable.text) != nil }
                    if let clause, loopKeys(clause, variable.text)?.contains(wanted) == false { continue }
                    push(value, binding: [variable.text: wanted])
                } else {
                    push(value)
                }
            case "call":
                if model.projectionOwner(n) != nil {
                    result.projections.append(n)
                    // A forward hook on the projection hands back the call's result (`self.c_q.register_forward_hook(norm)`).
                    for hooked in hookResults(on: callSite(n), kind: .output) { push(hooked) }
                    continue
                }
                let call = callSite(n)
                if let modules = iteratedModules(call, flow: flow), modules.contains(where: { isLinearModule($0, model) }) {
                    result.projections.append(n)
                    result.projectionModules += modules
                    continue
                }
                result.steps.append(n)
                if !keys.isEmpty { result.stepKeys[n] = keys }
                if call.callee == "dict", let wanted = item.wanted, let value = call.keywords[wanted] {
                    // dict(q=..., k=...) read by key.
                    push(value)
                    continue
                }
                if call.callee == "map", let first = call.positional.first.map(unparenthesized), first.type == "lambda",
                   let body = first.child(byField: "body") {
                    // map(lambda t: rotate(t, cos, sin), (q, k)): what the lambda does, and the mapped items.
                    push(body)
                    for mapped in call.positional.dropFirst() { push(mapped) }
                    continue
                }
                if call.name == "where", call.positional.count == 3 {
                    // torch.where(h > 0, h * h, 0): the selected values, not the condition.
                    for selected in call.positional.dropFirst() { push(selected) }
                    continue
                }
                if let receiver = call.receiver, !(isReferenceChain(receiver) && receiver.text.hasPrefix("self")), receiverClass(call) == nil {
                    // A tensor method (`.view(...)`, `.float()`, `.square()`): the tensor it is called on.
                    push(receiver)
                } else if let first = call.positional.first {
                    // A function or module (`F.rms_norm(q, ...)`, `apply_rotary(q, cos, sin)`, `self.rotary(q)`, a static
                    // method called on its class, `Rotary.apply(q, cos, sin)`): the tensor it transforms, its first
                    // argument (the others are auxiliary: shapes, tables, masks).
                    push(first)
                }
            case "binary_operator":
                // A product with a model weight (`x @ self.wq.T`, `h @ params["w_up"]`) is a projection: the walk stops.
                if model.projectionOwner(n) != nil {
                    result.projections.append(n)
                    continue
                }
                result.steps.append(n)
                if !keys.isEmpty { result.stepKeys[n] = keys }
                if let l = n.child(byField: "left") { push(l) }
                if let r = n.child(byField: "right") { push(r) }
            case "unary_operator":
                if let a = n.child(byField: "argument") { push(a) }
            case "list", "tuple", "expression_list":
                for element in n.namedChildren { push(element) }
            case "generator_expression", "list_comprehension":
                if let body = n.namedChildren.first { push(body) }
            case "conditional_expression":
                let parts = n.namedChildren
                if parts.count == 3 { push(parts[0], wanted: item.wanted); push(parts[2], wanted: item.wanted) }
            case "keyword_argument":
                if let v = n.child(byField: "value") { push(v) }
            default:
                continue
            }
        }
        return result
    }

    /// A name whose value is an entry of a keyed container, when the walk knows the key: an element of an unpacked
    /// comprehension over keys written out (`q, k, v = (heads[r].transpose(1, 2) for r in ("q", "k", "v"))`: `q` is the
    /// element with `r` standing for "q"), or the value variable of a loop over `d.items()` whose key variable stands
    /// for a key (`for role, t in heads.items()` with `role` standing for "q": the entry "q" of `heads`).
    private func keyedBinding(of use: Node, keys: [String: String], flow: Dataflow) -> (node: Node, wanted: String?, binding: [String: String])? {
        let bindings = flow.bindings(of: use.text, at: use).filter { b in
            if case .parameter = b.kind { return false }
            return b.site.endByte <= use.startByte || b.site.type == "for_in_clause" || b.site.type == "for_statement"
        }
        guard let latest = bindings.max(by: { $0.site.startByte < $1.site.startByte }) else { return nil }
        switch latest.kind {
        case .element(let index):
            let value = unparenthesized(latest.node)
            guard ["generator_expression", "list_comprehension"].contains(value.type),
                  case let clauses = value.namedChildren.filter({ $0.type == "for_in_clause" }), clauses.count == 1,
                  let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                  let items = loopKeys(clauses[0], variable.text), index < items.count,
                  let body = value.child(byField: "body") else { return nil }
            return (body, nil, [variable.text: items[index]])
        case .iteration(let place) where place == 1:
            guard let target = latest.site.child(byField: "left"), let keyVariable = target.namedChildren.first,
                  keyVariable.type == "identifier", let key = keys[keyVariable.text],
                  let iterable = latest.site.child(byField: "right").map(unwrapped), iterable.type == "call",
                  case let call = callSite(iterable), call.name == "items", call.positional.isEmpty,
                  let container = call.receiver else { return nil }
            return (container, key, [:])
        default:
            return nil
        }
    }

    /// For a name unpacked from a comprehension over keys written out (`q, k, v = (h[r].transpose(1, 2) for r in ("q",
    /// "k", "v"))`), the dictionary entry it reads, as that entry is written with its key (`h["v"]`). Nil otherwise.
    public func keyedElementEntry(_ name: Node) -> String? {
        guard name.type == "identifier", let keyed = keyedBinding(of: name, keys: [:], flow: dataflow),
              let (variable, key) = keyed.binding.first, keyed.binding.count == 1 else { return nil }
        let read = ([keyed.node] + descendants(of: keyed.node)).first { n in
            n.type == "subscript" && n.child(byField: "subscript").map { unwrapped($0).text } == variable
        }
        guard let container = read?.child(byField: "value"), container.type == "identifier" else { return nil }
        return "\(container.text)[\"\(key)\"]"
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

    /// For a call of an entry of a dictionary of callables read by a key the walk knows (`self.head_norm[role](t)` or
    /// `norm(t)` in `for role, norm in self.head_norm.items()`, with `role` standing for "q"), the entries it calls:
    /// the value written for that key. Nil when the call is not of such an entry.
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
        guard let container, let key else { return nil }
        return keyedEntries(container, key: key, depth: 0)
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

    /// The expressions a local name may hold at `use`: its latest assignment before the use in the same scope
    /// (the unpacked tuple or the iterated sequence when it is bound by unpacking or a loop).
    func boundValues(of use: Node, scope: Node?, flow: Dataflow) -> [Node] {
        let bindings = flow.bindings(of: use.text, at: use)
        let before = bindings.filter { b in
            if case .parameter = b.kind { return false }
            return b.site.endByte <= use.startByte || b.site.type == "for_in_clause" || b.site.type == "for_statement"
        }
        guard let latest = before.max(by: { $0.site.startByte < $1.site.startByte }) else { return [] }
        var result = [latest.node]
        if case .augmented = latest.kind {
            // x *= c: the earlier value too.
            result += before.filter { $0.site.startByte < latest.site.startByte }.max(by: { $0.site.startByte < $1.site.startByte }).map { [$0.node] } ?? []
        }
        return result
    }
}
