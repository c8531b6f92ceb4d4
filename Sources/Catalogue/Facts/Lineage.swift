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
    /// For steps (and projections) reached through a dictionary's entry read by a key variable (`heads[role]` in `{role:
    /// norms[role](t) for role, t in heads.items()}`), the keys those variables stood for on the way (`role`: "q").
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
                // A field of a record object handed in (`args.rope_cos`, `args: LayerArgs`): what its constructions put there.
                for value in constructedFieldValues(n) { push(value) }
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
                    if !keys.isEmpty { result.stepKeys[n] = keys }
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
                if let receiver = call.receiver, !(isReferenceChain(receiver) && receiver.text.hasPrefix("self")), receiverClass(call) == nil,
                   !callsMethodOfObject(call) {
                    // A tensor method (`.view(...)`, `.float()`, `.square()`): the tensor it is called on.
                    push(receiver)
                } else if let first = call.positional.first {
                    // A function or module (`F.rms_norm(q, ...)`, `apply_rotary(q, cos, sin)`, `self.rotary(q)`, a static
                    // method called on its class, `Rotary.apply(q, cos, sin)`, a method of an object of the file,
                    // `rope.rotate(q)`): the tensor it transforms, its first argument (the others are auxiliary: shapes,
                    // tables, masks).
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

    /// Whether a call with a receiver runs a method of a class of the file on an object of it (`rope.rotate(q)`, with
    /// `rope` a `Rotary` by the data flow or by its annotation), rather than a tensor method.
    func callsMethodOfObject(_ call: CallSite) -> Bool {
        guard methodNames.contains(call.name), !Self.rearrangingMethods.contains(call.name) else { return false }
        return targets(of: call).contains { enclosingClass($0.node) != nil }
    }

    /// A name whose value is an entry of a keyed container, when the walk knows the key: an element of an unpacked
    /// comprehension over keys written out (`q, k, v = (heads[r].transpose(1, 2) for r in ("q", "k", "v"))`: `q` is the
    /// element with `r` standing for "q"), or the value variable of a loop over `d.items()` whose key variable stands
    /// for a key (`for role, t in heads.items()` with `role` standing for "q": the entry "q" of `heads`).
    func keyedBinding(of use: Node, keys: [String: String], flow: Dataflow) -> (node: Node, wanted: String?, binding: [String: String])? {
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
