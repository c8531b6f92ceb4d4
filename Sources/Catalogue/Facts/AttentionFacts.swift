import Parsing
import TreeSitterKit

/// One attention computation of the file: `F.scaled_dot_product_attention(q, k, v)`, FlexAttention, a
/// flash-attention kernel, or scores `q @ k^T` that go through a softmax.
public struct AttentionSite {
    /// The attention call (or the `q @ k^T` product).
    public let node: Node
    public let query: Node
    public let key: Node
    public let value: Node?
    /// For attention written out by hand, the product of the probabilities with the values (`att @ v`,
    /// `torch.matmul(att, v)`): where the attention's result is complete. Nil for a kernel call.
    public var valuesProduct: Node? = nil
}

extension PythonFacts {
    static let attentionKernels: Set<String> = [
        "torch.nn.functional.scaled_dot_product_attention", "flash_attn_func", "flash_attn_varlen_func",
        "flash_attn_with_kvcache", "memory_efficient_attention",
    ]

    /// Every attention computation of the file.
    public var attentionSites: [AttentionSite] {
        memoized("attentionSites") {
            var sites: [AttentionSite] = []
            let flex = Set(flexAttentionCalls.map(\.node))
            for call in calls {
                let isKernel = Self.attentionKernels.contains(call.callee) || Self.attentionKernels.contains(call.name)
                    || flex.contains(call.node)
                guard isKernel else { continue }
                // Also through `*` spreads: sdpa(*(t.transpose(1, 2) for t in (q, k, v))), sdpa(*qk, v).
                if let q = argument(of: call, "query", position: 0), let k = argument(of: call, "key", position: 1) {
                    sites.append(AttentionSite(node: call.node, query: q, key: k, value: argument(of: call, "value", position: 2)))
                }
            }
            // Manual attention: q @ k^T in a function that takes a softmax.
            for node in nodes(ofType: ["binary_operator", "call"]) {
                guard let (left, right) = matmulOperands(node), let key = transposedFactor(node, right),
                      let function = enclosingFunction(node),
                      !calls(named: "softmax", inside: function.node).isEmpty
                else { continue }
                let product = manualAttentionProduct(after: node, in: function)
                sites.append(AttentionSite(node: node, query: left, key: key, value: product?.value, valuesProduct: product?.product))
            }
            return sites
        }
    }

    /// Expressions whose value is an attention result: the attention sites, and calls of a function or method of
    /// the file that computes one (`y = self.attend(q, k, v)`).
    public var attentionResults: Set<Node> {
        memoized("attentionResults") {
            var result = Set(attentionSites.map(\.node))
            let holders = functions.filter { f in attentionSites.contains { isInside($0.node, f.node) } }
            guard !holders.isEmpty else { return result }
            // Only calls that can reach a holder are resolved: by the holder's name, or (for a module's `forward`)
            // a module attribute built from the holder's class.
            let holderNames = Set(holders.map(\.name))
            let holderClasses = Set(holders.filter { forwardMethodNames.contains($0.name) }.compactMap { enclosingClass($0.node)?.name })
            for call in calls {
                let candidate = holderNames.contains(call.name)
                    || (!holderClasses.isEmpty && call.function.map(isReferenceChain) == true
                        && moduleConstructor(call.callee).map { holderClasses.contains($0.callee) } == true)
                guard candidate else { continue }
                for target in targets(of: call) where holders.contains(where: { $0.node == target.node }) && !isInside(call.node, target.node) {
                    result.insert(call.node)
                }
            }
            return result
        }
    }

    /// For manual attention, the product of the softmax probabilities with the values and the values, its right
    /// operand (`probs @ v`, `torch.matmul(att, v)` with `att` set from a softmax, possibly through a dropout).
    func manualAttentionProduct(after scores: Node, in function: Function) -> (product: Node, value: Node)? {
        func fromSoftmax(_ node: Node, depth: Int) -> Bool {
            let n = unparenthesized(node)
            if !calls(named: "softmax", inside: n).isEmpty { return true }
            guard depth < 3 else { return false }
            if n.type == "identifier", let value = latestValue(of: n.text, before: n) { return fromSoftmax(value, depth: depth + 1) }
            // A dropout or cast around the probabilities: `self.drop(att)`, `att.to(v.dtype)`.
            if n.type == "call" {
                let call = callSite(n)
                if let receiver = call.receiver, Self.rearrangingMethods.contains(call.name) { return fromSoftmax(receiver, depth: depth + 1) }
                if let first = call.positional.first { return fromSoftmax(first, depth: depth + 1) }
            }
            return false
        }
        for node in descendants(of: function.node) where node.startByte > scores.startByte && (node.type == "binary_operator" || node.type == "call") {
            guard let (probabilities, value) = matmulOperands(node), transposedFactor(node, value) == nil,
                  fromSoftmax(probabilities, depth: 0) else { continue }
            return (node, value)
        }
        return nil
    }

    /// `k` for `k.transpose(-2, -1)`, `k.transpose(2, 3)`, `k.mT`, `k.T`, `k.t()`; nil otherwise.
    func transposedOperand(_ node: Node) -> Node? {
        let node = unparenthesized(node)
        if node.type == "attribute", ["T", "mT"].contains(node.child(byField: "attribute")?.text ?? "") {
            return node.child(byField: "object")
        }
        if node.type == "call" {
            let call = callSite(node)
            if let receiver = call.receiver, ["transpose", "t"].contains(call.name) { return receiver }
        }
        return nil
    }

    /// Classes that compute attention themselves (a method holds an attention site), and the classes that build and call a
    /// stateless attention core (see below).
    public var attentionClasses: Set<String> {
        memoized("attentionClasses") {
            var names = Set<String>()
            for site in attentionSites {
                if let c = enclosingClass(site.node) { names.insert(c.name) }
            }
            // A stateless core the attention module builds and calls (Megatron's `SelfAttention` holding
            // `CoreAttention`, see `holdsNoState`): the module that builds it is the attention, with its projections.
            let cores = classes.filter { names.contains($0.name) && holdsNoState($0) }
            for core in cores {
                for call in calls(named: core.name) where call.receiver == nil {
                    if let holder = enclosingClass(call.node), holder.node != core.node { names.insert(holder.name) }
                }
            }
            return names
        }
    }

    /// Whether a module reference (`self.attn`, `layer["attn"]`, `blk.attn`) holds an attention module: an
    /// instance of an attention class of the file or `nn.MultiheadAttention` (see `buildsAttention`), a parameter its
    /// callers fill with one, a loop variable over a literal tuple or list holding one, or a module its class
    /// registers on itself by name (`self.add_module(kind, BRANCHES[kind](cfg))`, `setattr(self, k, m)`; see
    /// `registeredFields`) and reads as `self.attn` or
    /// `getattr(self, kind)`: one registered under that name builds one, or, for a name computed at run time on either
    /// side, any registration does (for `self.attn`, only when the class sets no `self.attn` by name).
    public func isAttentionModule(_ reference: Node, depth: Int = 0) -> Bool {
        // A parameter holding the module its callers pass (`def residual(self, x, branch): return x + branch(norm(x))`,
        // called as `self.residual(x, self.attn)`): an attention module when a caller passes one.
        if reference.type == "identifier", depth < 3, parameterOwner(of: reference) != nil,
           callerArguments(of: reference).contains(where: { isAttentionModule(unwrapped($0), depth: depth + 1) }) { return true }
        // A loop variable over a literal tuple or list of modules (`for branch in (self.attn, self.mlp): x = x +
        // branch(norm(x))`, see `iteratedItems`): an attention module when one of the items is.
        if reference.type == "identifier", depth < 3, let items = iteratedItems(reference, flow: dataflow),
           items.contains(where: { isAttentionModule(unwrapped($0), depth: depth + 1) }) { return true }
        // One place of the entries of a layer list unpacked by the loop (`for norm, fn, add in self.sublayers` with
        // entries appended as `nn.ModuleList([nn.LayerNorm(d), SelfAttention(d, h), Add()])`): an attention module
        // when some entry builds one in that place.
        if reference.type == "identifier", let elements = unpackedEntryElements(reference), elements.contains(where: { buildsAttention($0) }) {
            return true
        }
        // An entry of a module dictionary read by a key written there or by a loop variable over keys written out
        // (`self.branches["attn"]`, `self.branches[name]` in `for name in ("attn", "mlp")`): an attention module when an
        // entry read is one.
        if reference.type == "subscript", let container = reference.child(byField: "value"),
           let index = reference.child(byField: "subscript").map(unwrapped) {
            let keys = SettingsTable.stringValue(index).map { [$0] } ?? (index.type == "identifier" ? iteratedKeys(index, flow: dataflow) : nil)
            if let keys, keys.contains(where: { key in
                (keyedEntries(container, key: key, depth: 0) ?? []).contains { buildsAttention($0) }
            }) { return true }
        }
        if let names = selfModuleRead(reference), let owner = enclosingClass(reference) {
            for field in registeredFields(in: owner) {
                if let name = field.name {
                    if !names.isEmpty, !names.contains(name) { continue }
                } else if names.contains(where: { !selfAssignedValues($0, in: owner).isEmpty }) {
                    continue
                }
                if buildsAttention(field.value) { return true }
            }
        }
        guard let name = SettingsTable.bareName(of: reference) else { return false }
        for setting in allSettings.settings(name) where setting.source != .parameterDefault {
            if buildsAttention(setting.value) { return true }
        }
        // `self.fn` set from a parameter of its class's `__init__` (`self.fn = fn`, lucidrains' `Residual(PreNorm(
        // Attention(...)))`): an attention module when a construction of that class passes one, or a wrapper holding one
        // (see `wrapsAttention`). Only the reading class's own settings count.
        if depth < 3, let owner = enclosingClass(reference), selfModuleRead(reference) != nil {
            for setting in allSettings.settings(name) where setting.written == "self.\(name)" && enclosingClass(setting.site)?.node == owner.node {
                let value = unwrapped(setting.value)
                guard value.type == "identifier", parameterOwner(of: value)?.name == "__init__" else { continue }
                if callerArguments(of: value).contains(where: { buildsAttention($0) || wrapsAttention($0, depth: depth + 1) }) { return true }
            }
        }
        return false
    }

    /// Whether an expression builds a wrapper module of the file around attention: a class whose `__init__` keeps one
    /// of its parameters as a field (`self.fn = fn`) that its `forward` calls, constructed with attention (or another
    /// such wrapper) for that parameter (`PreNorm(dim, Attention(...))`).
    func wrapsAttention(_ expression: Node, depth: Int) -> Bool {
        guard depth < 4, let call = constructorCall(unwrapped(expression)), let owner = boundClass(named: call.callee),
              let initializer = initializer(of: owner) else { return false }
        let forwards = forwardMethods(of: owner)
        for parameter in initializer.passedParameters {
            guard let argument = passedArgument(parameter, of: initializer, at: call),
                  buildsAttention(argument) || wrapsAttention(argument, depth: depth + 1) else { continue }
            // The field the parameter is kept in, called in a forward.
            for node in descendants(of: initializer.node) where node.type == "assignment" {
                guard let right = node.child(byField: "right").map(unwrapped), right.type == "identifier", right.text == parameter,
                      let left = node.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text == "self",
                      let field = left.child(byField: "attribute")?.text else { continue }
                if forwards.contains(where: { forward in calls(named: field, inside: forward.node).contains { $0.callee == "self.\(field)" } }) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether an expression builds an attention module: an instance of an attention class of the file or
    /// `nn.MultiheadAttention`, also behind `X if cond else None`, or built from a registry of classes
    /// (`BRANCHES[kind](cfg)`) when an entry the read may select (see `registrySelections`) is an attention class; also
    /// an `nn.Sequential` one of whose stages does (listed, or named in an `OrderedDict([("attn", ...), ...])`), and a
    /// local name holding such a value.
    func buildsAttention(_ expression: Node, depth: Int = 0) -> Bool {
        let attention = attentionClasses
        var values = [unwrapped(expression)]
        if values[0].type == "conditional_expression" { values = values[0].namedChildren }
        if values[0].type == "identifier", depth < 3, let held = heldValue(of: values[0].text, at: values[0]) {
            return buildsAttention(held, depth: depth + 1)
        }
        for value in values where value.type == "call" {
            if let function = value.child(byField: "function").map(unwrapped), function.type == "subscript",
               registrySelections(function).contains(where: { attention.contains($0.entry.text) }) { return true }
            guard let call = constructorCall(value) else { continue }
            if call.callee == "torch.nn.MultiheadAttention" || attention.contains(call.callee) { return true }
            if call.torchCallee == "torch.nn.Sequential", depth < 3 {
                var stages = call.positional
                if stages.count == 1, case let held = unwrapped(stages[0]), held.type == "call" {
                    let pairs = SettingsCollector.moduleDictPairs(callSite(held), self)
                    if !pairs.isEmpty { stages = pairs.map(\.value) }
                }
                if stages.contains(where: { buildsAttention($0, depth: depth + 1) }) { return true }
            }
        }
        return false
    }

    /// The names a module read on `self` may have: `self.attn` (`attn`), `getattr(self, "attn")`, `getattr(self, key)`
    /// with `key` holding strings (see `attributeRead`); empty for `getattr(self, kind)` with a name computed at run time
    /// (a loop variable over a layout). Nil for a read of anything else.
    func selfModuleRead(_ reference: Node) -> [String]? {
        let n = unwrapped(reference)
        if n.type == "attribute" || n.type == "call", let read = attributeRead(n) { return read.object.text == "self" ? read.names : nil }
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        guard call.callee == "getattr", call.positional.count == 2, call.positional[0].text == "self" else { return nil }
        return []
    }

    /// Whether a module reference holds a `torch.nn.MultiheadAttention`.
    public func isLibraryAttention(_ reference: Node) -> Bool {
        guard let name = SettingsTable.bareName(of: reference) else { return false }
        return allSettings.settings(name).contains { s in
            s.source != .parameterDefault && constructorCall(unwrapped(s.value))?.callee == "torch.nn.MultiheadAttention"
        }
    }

    /// The sizes a `view` / `reshape` call is given: its positional arguments, or the elements of the one tuple or
    /// list it receives (written there, or held by a local: `shape = (B, T, H, D); q.view(shape)`).
    public func reshapeDimensions(_ call: CallSite) -> [Node] {
        guard call.positional.count == 1 else { return call.positional }
        var single = unparenthesized(call.positional[0])
        if single.type == "identifier", let value = latestValue(of: single.text, before: call.node) { single = unparenthesized(value) }
        return ["tuple", "list"].contains(single.type) ? single.namedChildren.filter { $0.type != "comment" } : call.positional
    }

    /// For a reshape that keeps a tensor's leading sizes and gives new ones after them, the new sizes:
    /// `x.view(x.size()[:-1] + (H, D))` (Hugging Face's `_split_heads`), `x.view(*x.shape[:-1], H, D)`,
    /// `x.reshape((*x.shape[:2], H, D))`, also through a local (`new_shape = ...; x.view(new_shape)`); nil for any other
    /// shape.
    public func sizesAfterKeptShape(_ call: CallSite) -> [Node]? {
        guard var parts = call.node.child(byField: "arguments")?.namedChildren.filter({ $0.type != "comment" }), !parts.isEmpty else { return nil }
        if parts.count == 1 {
            var single = unparenthesized(parts[0])
            if single.type == "identifier", let value = latestValue(of: single.text, before: call.node) { single = unparenthesized(value) }
            if single.type == "binary_operator", single.child(byField: "operator")?.type == "+",
               let left = single.child(byField: "left"), isShapeSlice(left),
               let right = single.child(byField: "right").map(unparenthesized), right.type == "tuple" {
                return right.namedChildren.filter { $0.type != "comment" }
            }
            if single.type == "tuple" { parts = single.namedChildren.filter { $0.type != "comment" } }
        }
        guard let first = parts.first, first.type == "list_splat", let spread = first.namedChildren.first, isShapeSlice(spread) else { return nil }
        let rest = Array(parts.dropFirst())
        return rest.contains(where: { ["list_splat", "dictionary_splat", "keyword_argument"].contains($0.type) }) ? nil : rest
    }

    /// A slice of a tensor's shape: `x.shape[:-1]`, `x.size()[:2]`, `tuple(x.shape[:-1])`.
    func isShapeSlice(_ node: Node) -> Bool {
        var n = unparenthesized(node)
        if n.type == "call", ["tuple", "list"].contains(callSite(n).callee), callSite(n).positional.count == 1 { n = unparenthesized(callSite(n).positional[0]) }
        guard n.type == "subscript", n.child(byField: "subscript")?.type == "slice",
              let base = n.child(byField: "value").map(unparenthesized) else { return false }
        if base.type == "attribute" { return base.child(byField: "attribute")?.text == "shape" }
        return base.type == "call" && callSite(base).name == "size" && callSite(base).receiver != nil && callSite(base).positional.isEmpty
    }

    /// The steps inside a helper of the file that a lineage step calls on its tensor (`self._split_heads(q, H, D)`,
    /// `split_heads(q, H, D)`, also a lambda bound to the name once, `heads = lambda t: t.view(B, T, H, D)`): the lineage
    /// of what the helper returns, kept to the helper's own body, with the parameters a call fills. A module's `forward`
    /// and an `__init__` are not entered. nil when the call reaches no such helper.
    public func helperSteps(_ call: CallSite, model: ModelView, flow: Dataflow) -> (parameters: [String], steps: [Node])? {
        if let helper = calledFunction(call) {
            guard !forwardMethodNames.union(["__init__"]).contains(helper.name) else { return nil }
            let steps = flow.returns(of: helper.node).flatMap { returned in
                lineage(of: returned, model: model, flow: flow, limit: 100).steps.filter { isInside($0, helper.node) }
            }
            return (helper.passedParameters, steps)
        }
        guard call.receiver == nil, case let bound = boundLambdas(named: call.callee), bound.count == 1,
              !bound[0].isMethod, let body = bound[0].body else { return nil }
        let steps = lineage(of: body, model: model, flow: flow, limit: 100).steps.filter { isInside($0, bound[0].lambda) }
        return (bound[0].parameters, [body] + steps.filter { $0 != body })
    }

    /// For a name that is a parameter of its function, the arguments the function's callers pass for it (at most
    /// eight call sites). A module's `forward` is not followed: its input is the block's stream, whose callers
    /// add nothing to what a tensor went through inside (and finding module calls is costly). The exception is a module
    /// that holds no state of its own (see `holdsNoState`), Megatron's `CoreAttention` taking `query, key, value`
    /// from the attention module that projects them: its inputs are what its callers computed.
    func parameterArguments(of name: Node, flow: Dataflow) -> [Node] {
        var result: [Node] = []
        for binding in flow.bindings(of: name.text, at: name) {
            guard case .parameter(let index) = binding.kind else { continue }
            let function = binding.node.child(byField: "name")?.text ?? ""
            if function == "__init__" { continue }
            if forwardMethodNames.contains(function) {
                guard let owner = enclosingClass(binding.node), holdsNoState(owner) else { continue }
            }
            for site in flow.callSites(of: binding.node).prefix(8) {
                if let argument = flow.argument(site, name: name.text, index: index) { result.append(argument) }
            }
        }
        return result
    }

    /// Whether a module class of the file holds no state of its own: no method of it (own or inherited from the file's
    /// classes) sets a field from a call or a list (no layer, parameter, buffer, tensor or cache; `self.config = config`
    /// and numbers are fine), and none registers a parameter, buffer or submodule.
    func holdsNoState(_ owner: Class) -> Bool {
        memoized("holdsNoState/\(owner.node.startByte)") {
            for c in lineage(of: owner) {
                for function in methods(of: c) {
                    for n in descendants(of: function.node) where n.type == "assignment" || n.type == "call" {
                        if n.type == "call" {
                            if ["register_buffer", "register_parameter", "add_module"].contains(callSite(n).name) { return false }
                            continue
                        }
                        guard let left = n.child(byField: "left"), left.type == "attribute", left.child(byField: "object")?.text == "self",
                              let right = n.child(byField: "right").map(unwrapped) else { continue }
                        if right.type == "call" || right.type == "list_comprehension" || right.type == "list" { return false }
                    }
                }
            }
            return true
        }
    }

    /// For a call through a loop variable over modules (`for lin in (self.c_q, self.c_k)`: `lin(x)`), the modules.
    func iteratedModules(_ call: CallSite, flow: Dataflow) -> [Node]? {
        guard let function = call.function, function.type == "identifier" else { return nil }
        return iteratedItems(function, flow: flow)
    }

    /// The items a loop variable runs over when the loop iterates a sequence written out (`for lin in (self.c_q,
    /// self.c_k)`: `self.c_q`, `self.c_k`), also one held by a local name, concatenated, or collected by a comprehension
    /// (see `writtenItems`: `for lin in outputs` with `outputs = [m for blk in self.h for m in (blk.attn.c_proj,
    /// blk.mlp.c_proj)]` gives `blk.attn.c_proj`, `blk.mlp.c_proj`).
    public func iteratedItems(_ variable: Node, flow: Dataflow) -> [Node]? {
        for binding in flow.bindings(of: variable.text, at: variable) {
            guard case .iteration = binding.kind else { continue }
            if let items = writtenItems(binding.node, depth: 0) { return items }
        }
        return nil
    }

    /// For a loop variable taking one place of each entry of a container filled by `append` (`for norm, fn, add in
    /// self.sublayers`, also an entry unpacked from a `zip`, `for kind, (norm, fn, add) in zip(kinds, self.layers)`),
    /// whose entries are written out (`nn.ModuleList([a, b, c])`, a list or a tuple): the element of each entry in that
    /// place. Nil when the variable is no such place or an entry is not written out.
    public func unpackedEntryElements(_ variable: Node) -> [Node]? {
        // Asked by `isAttentionModule` for every loop variable it meets: kept per read.
        memoized("unpackedEntryElements/\(variable.startByte)/\(variable.text)") { computeUnpackedEntryElements(variable) }
    }

    private func computeUnpackedEntryElements(_ variable: Node) -> [Node]? {
        for binding in dataflow.bindings(of: variable.text, at: variable) {
            guard case .iteration(let place?) = binding.kind, binding.site.type == "for_statement" || binding.site.type == "for_in_clause" else { continue }
            let container = dataflow.iterationSource(binding)
            var elements: [Node] = []
            for origin in dataflow.bindings(ofReference: unwrapped(container)) where origin.kind == .value {
                guard let entries = filledContainerItems(madeEmptyBy: origin.node) else { continue }
                for entry in entries.map(unwrapped) {
                    let display = entry.type == "call" && ["ModuleList", "Sequential", "list", "tuple"].contains(callSite(entry).name)
                        ? callSite(entry).positional.first.map(unwrapped) : entry
                    guard let display, ["list", "tuple"].contains(display.type) else { return nil }
                    let items = display.namedChildren.filter { $0.type != "comment" }
                    guard place < items.count else { return nil }
                    elements.append(items[place])
                }
            }
            return elements.isEmpty ? nil : elements
        }
        return nil
    }

    /// The expressions standing for the items of a sequence the file writes out: a literal tuple or list; a local name
    /// set to one before its use (its latest value, see `latestValue`); a concatenation of such (`[a, b] + [c]`); a list
    /// comprehension or generator, whose element stands for every item it builds (`blk.attn.c_proj` in
    /// `[blk.attn.c_proj for blk in self.h]`), or, when the element is a variable a clause walks over a sequence written
    /// out, that sequence's items (`[m for blk in self.h for m in (blk.attn.c_proj, blk.mlp.c_proj)]`). Nil otherwise,
    /// and for a name of a list its function grows or changes in place.
    func writtenItems(_ node: Node, depth: Int) -> [Node]? {
        guard depth < 4 else { return nil }
        let n = unparenthesized(node)
        switch n.type {
        case "tuple", "list":
            return n.namedChildren.filter { $0.type != "comment" }
        case "identifier":
            // Not a list the function grows or changes in place (`outputs = []` then `outputs.append(m)`).
            let scope = enclosingFunction(n)?.node
            let changed = calls.contains { call in
                ["append", "extend", "insert", "remove", "pop", "clear"].contains(call.name) && call.receiver?.text == n.text
                    && enclosingFunction(call.node)?.node == scope
            } || nodes(ofType: "augmented_assignment").contains { a in
                a.child(byField: "left")?.text == n.text && enclosingFunction(a)?.node == scope
            }
            guard !changed, let value = latestValue(of: n.text, before: n), value != n,
                  let items = writtenItems(value, depth: depth + 1), !items.isEmpty else { return nil }
            return items
        case "binary_operator":
            guard n.child(byField: "operator")?.type == "+", let l = n.child(byField: "left"), let r = n.child(byField: "right"),
                  let left = writtenItems(l, depth: depth + 1), let right = writtenItems(r, depth: depth + 1) else { return nil }
            return left + right
        case "list_comprehension", "generator_expression":
            guard let body = n.child(byField: "body").map(unparenthesized) else { return nil }
            if body.type == "identifier" {
                // The element is a clause's variable: the items that clause walks (the innermost clause binding it);
                // nil when a clause binds it by unpacking (`for name, m in ...`).
                let clauses = n.namedChildren.filter { $0.type == "for_in_clause" }
                guard let clause = clauses.last(where: { clause in
                    guard let target = clause.child(byField: "left") else { return false }
                    return ([target] + descendants(of: target)).contains { $0.type == "identifier" && $0.text == body.text }
                }) else { return [body] }
                guard let target = clause.child(byField: "left").map(unparenthesized), target.type == "identifier" else { return nil }
                return clause.child(byField: "right").flatMap { writtenItems($0, depth: depth + 1) }
            }
            return [body]
        default:
            return nil
        }
    }

    /// Whether a module reference holds a linear layer.
    func isLinearModule(_ reference: Node, _ model: ModelView) -> Bool {
        guard let name = SettingsTable.bareName(of: reference), let module = moduleConstructor(name) else { return false }
        return model.isLinearConstructor(module)
    }

    /// Names some assignment gives a function of the file, or a choice of two (`func = a if flag else b`).
    var functionValuedNames: Set<String> {
        memoized("functionValuedNames") {
            let names = functionNameSet
            var result = Set<String>()
            for assignment in nodes(ofType: "assignment") {
                guard let left = assignment.child(byField: "left"), left.type == "identifier",
                      let right = assignment.child(byField: "right").map(unwrapped) else { continue }
                let options = right.type == "conditional_expression" ? right.namedChildren.map(unwrapped) : [right]
                if options.contains(where: { $0.type == "identifier" && names.contains($0.text) }) { result.insert(left.text) }
            }
            return result
        }
    }

    /// For the `*name` parameter of a function of the file read inside it, the positional arguments every call of the
    /// function passes from that parameter's place on (`make_combined_step(head_step, hidden_step)` for `*steppers`); nil
    /// for any other name, or when a call spreads a sequence there.
    func starredArguments(_ name: Node) -> [Node]? {
        guard latestValue(of: name.text, before: name) == nil else { return nil }
        // The function whose parameter it is: the enclosing one, or one around it (a closure reading its maker's
        // `*steppers`).
        var scope = enclosingFunction(name)
        var found: (function: Function, place: Int)?
        while let function = scope, found == nil {
            let parameters = function.node.child(byField: "parameters")?.namedChildren.filter({ $0.type != "comment" }) ?? []
            if let place = parameters.firstIndex(where: { $0.type == "list_splat_pattern" && $0.namedChildren.first?.text == name.text }) {
                found = (function, place)
            } else if function.parameters.contains(name.text) {
                return nil
            }
            scope = outerFunction(of: function)
        }
        guard let (function, place) = found else { return nil }
        let offset = function.parameters.first == "self" || function.parameters.first == "cls" ? 1 : 0
        var passed: [Node] = []
        for call in calls(named: function.name) where calledFunction(call)?.node == function.node {
            guard !call.hasSplat else { return nil }
            passed += call.positional.dropFirst(place - offset)
        }
        return passed
    }


    /// The values a table of the file holds at the place a subscript reads (`table[k][1]`: the second element of
    /// every entry, or of the entry with key `k` when `k` is a string constant): a dictionary literal or `dict(k=v,
    /// ...)`, a list or tuple literal (also repeated: `[step] * 5`), possibly held by a name or field set once (`TABLE`, `self.table`), or
    /// seen through a view or layering of such tables (`MappingProxyType({...})`, `ChainMap(a, b)`, see `mappingLayers`). Nil when
    /// the subscript does not read a literal table.
    func tableEntries(_ node: Node, depth: Int) -> [Node]? {
        guard depth < 4 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "identifier", "attribute":
            // A function's `*steppers` parameter: the arguments its calls pass from that place on.
            if n.type == "identifier", let spread = starredArguments(n) { return spread }
            guard let name = SettingsTable.bareName(of: n) else { return nil }
            let values = allSettings.settings(name).map(\.value)
            guard values.count == 1, let only = values.first else { return nil }
            return tableEntries(only, depth: depth + 1)
        case "dictionary":
            return n.namedChildren.compactMap { $0.type == "pair" ? $0.child(byField: "value") : nil }
        case "call" where callSite(n).callee == "dict" && callSite(n).positional.isEmpty:
            return Array(callSite(n).keywords.values)
        case "call" where mappingLayers(n) != nil:
            // A view or layering of tables (`MappingProxyType({...})`, `ChainMap(overrides, defaults)`, `dict(TABLE)`):
            // the entries of every layer, as any key may pick one; nil when a layer is no table.
            var entries: [Node] = []
            for layer in mappingLayers(n) ?? [] {
                guard let held = tableEntries(layer, depth: depth + 1) else { return nil }
                entries += held
            }
            return entries
        case "list", "tuple":
            return n.namedChildren.filter { $0.type != "comment" }
        case "binary_operator" where n.child(byField: "operator")?.type == "*":
            // A repeated list (`[step] * 5`, `3 * [a, b]`) holds the entries of the list it repeats.
            let operands = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0.map(unwrapped) }
            let repeated = operands.filter { ["list", "tuple"].contains($0.type) }
            return repeated.count == 1 ? tableEntries(repeated[0], depth: depth + 1) : nil
        case "subscript":
            guard let base = n.child(byField: "value"), let key = n.child(byField: "subscript"),
                  let entries = tableEntries(base, depth: depth + 1) else { return nil }
            if let position = evaluate(key).flatMap({ $0.asBoundedInt }) {
                return entries.compactMap { entry -> Node? in
                    let e = unwrapped(entry)
                    guard ["tuple", "list"].contains(e.type) else { return nil }
                    let items = e.namedChildren.filter { $0.type != "comment" }
                    return position >= 0 && position < items.count ? items[position] : nil
                }
            }
            // Any key: every entry.
            return entries
        default:
            return nil
        }
    }

    /// The module-level functions of the file an expression may stand for: a name of one, `functools.partial(f,
    /// ...)` / `torch.compile(f)` of one, either side of a conditional, and what a factory of the file returns
    /// (`def backend(name): match name: case "ns": return newton_schulz ...`).
    func functionsDenoted(by node: Node, depth: Int) -> [Function] {
        guard depth < 3 else { return [] }
        let n = unwrapped(node)
        switch n.type {
        case "identifier":
            // A function of the module or of another function; not a class's method. A `def` nested in a method is a
            // local of that method, named from inside it (`reduce(visit, ...)` in the `forward` that defines `visit`).
            return functions.filter { function in
                guard function.name == n.text else { return false }
                guard enclosingClass(function.node) != nil else { return true }
                guard let outer = outerFunction(of: function), enclosingClass(outer.node)?.node == enclosingClass(function.node)?.node
                else { return false }
                return isInside(n, outer.node)
            }
        case "attribute":
            // `self.m` / `cls.m` in a class: its method, own or inherited (`functools.partial(self._ns_step, a=a)`).
            // `Backends.newton_schulz`: a method of a class of the file named by the class.
            guard let object = n.child(byField: "object"), let name = n.child(byField: "attribute")?.text else { return [] }
            if ["self", "cls"].contains(object.text) {
                guard let owner = enclosingClass(n), let method = method(name, of: owner) else { return [] }
                return [method]
            }
            guard let owner = namedClass(object), let method = method(name, of: owner) else { return [] }
            return [method]
        case "conditional_expression":
            guard let parts = conditionalParts(n) else { return [] }
            return [parts.value, parts.alternative].flatMap { functionsDenoted(by: $0, depth: depth + 1) }
        case "call":
            let call = callSite(n)
            if Self.rebindingWrappers.contains(call.callee) || Self.partialWrappers.contains(call.callee), let wrapped = call.positional.first {
                return functionsDenoted(by: wrapped, depth: depth + 1)
            }
            // `getattr(Backends, group["backend"])` on a class of the file used as a namespace of functions: the method
            // a decided name picks, else every method its body defines (not the special ones).
            if call.callee == "getattr", (2...3).contains(call.positional.count), let owner = namedClass(call.positional[0]) {
                if let name = decidedString(call.positional[1]) { return method(name, of: owner).map { [$0] } ?? [] }
                return methods(of: owner).filter { !($0.name.hasPrefix("__") && $0.name.hasSuffix("__")) }
            }
            // A factory of the file, or a method of one called on an object the file builds (`net.build_step()`
            // returning `make_ortho_step(...)`).
            var factory = calledFunction(call).flatMap { enclosingClass($0.node) == nil ? $0 : nil }
            if factory == nil, !call.callee.hasPrefix("self."), let methods = builtObjectMethods(call), methods.count == 1 { factory = methods[0] }
            guard let factory else { return [] }
            var found: [Function] = []
            for value in returnedValues(factory) {
                for f in functionsDenoted(by: value, depth: depth + 1) where !found.contains(where: { $0.node == f.node }) { found.append(f) }
            }
            return found
        default:
            return []
        }
    }

    /// The class of the file an expression names by its name (not a local variable of that name).
    private func namedClass(_ node: Node) -> Class? {
        let n = unwrapped(node)
        guard n.type == "identifier", !isLocallyBound(n) else { return nil }
        return boundClass(named: n.text)
    }

    /// The functions a call runs: a function of the file (`f(x)`, `self.f(x)`), a method called on an instance of a
    /// class of the file (`window.update(step)`), or the `forward` of the module class a called attribute holds
    /// (`self.rotary(q)`), a function of the file handed in through a parameter or the attribute it is copied to
    /// (`self.orthogonalizer(g)`, see `handedFunctions`), a kernel launched as `kernel[grid](...)`, an object a class
    /// of the file gives when subscripted (`ZeroPower[key](g)`, see `classSubscriptTargets`), or a function
    /// run under another name (an autograd `apply`, a hook called by name, an entry of a table, a name unpacked from
    /// a factory's result, the function a decorator of the file wraps called from its wrapper).
    public func targets(of call: CallSite) -> [Function] {
        if let function = call.function, function.type == "subscript",
           let value = function.child(byField: "value"), value.type == "identifier" {
            let launched = self.function(named: value.text)
            if !launched.isEmpty { return launched }
            let classes = classSubscriptTargets(value)
            if !classes.isEmpty { return classes }
            // A table of the file's functions read by a key (`_ORTHO_METHODS[method](G)` with `_ORTHO_METHODS =
            // {"svd": _ortho_svd, "newton_schulz": _ortho_ns}`): the entry a decided key selects, else every entry when
            // each is a function of the file (a library entry, `"sign": torch.sign`, leaves the call unknown).
            if let read = call.function.map(unwrapped), let selected = registryEntry(read) {
                return functionsDenoted(by: selected.entry, depth: 0)
            }
            guard let entries = tableEntries(value, depth: 0), !entries.isEmpty else { return [] }
            let denoted = entries.map { functionsDenoted(by: $0, depth: 0) }
            return denoted.contains(where: \.isEmpty) ? [] : denoted.flatMap { $0 }
        }
        // A function the file's decorators wrap runs their wrappers too (`@blockwise(3)` above `def direction(g)`: the
        // wrapper that cuts `g` and calls `direction` on each block, see `Decorators.swift`).
        if let f = calledFunction(call) { return [f] + decoratorWrappers(of: f) }
        // `OPS.unit_rms(x)` with `OPS` holding one of several classes of static functions (see `namespaceMethods`).
        let namespaced = namespaceMethods(of: call)
        if !namespaced.isEmpty { return namespaced }
        // In a decorator of the file: the decorated function its wrapper calls (`fn(*args, **kwargs)`), or the class's
        // own method a class decorator kept under a name (`plain_forward(self, x)`).
        let decorated = decoratedTargets(of: call)
        if !decorated.isEmpty { return decorated }
        // `Fn.apply(x)` of a `torch.autograd.Function` subclass of the file runs its `forward`.
        let forwards = autogradForwards(call)
        if !forwards.isEmpty { return forwards }
        let hooks = hookTargets(call)
        if !hooks.isEmpty { return hooks }
        // A function read from a table of the file (`table[k][1](...)` with `table = {"a": (init_a, partial(update_a,
        // hp=h))}`): every function the table holds at that place.
        if let function = call.function.map(unwrapped), function.type == "subscript",
           function.child(byField: "value").map(unwrapped)?.type == "subscript" {
            let found = (tableEntries(function, depth: 0) ?? []).flatMap { functionsDenoted(by: $0, depth: 0) }
            if !found.isEmpty { return found }
        }
        // A name a loop takes from a table of the file (`for name, fn in routes: fn(...)`, with `routes = [("a",
        // partial(update_a)), ...]`), or the item parameter of a function a fold runs over one (`functools.reduce(lambda
        // acc, step: step(acc), [ns_step] * 5, X)`, see `fold(running:)`): the functions at that place of every entry,
        // an entry that is a name set once to a function's maker (`ns_step = make_step(a, b, c)`) through its value.
        if let function = call.function, function.type == "identifier" {
            for binding in dataflow.bindings(of: function.text, at: call.node) {
                let iterable: Node, index: Int?
                switch binding.kind {
                case .iteration(let position):
                    iterable = dataflow.iterationSource(binding)
                    index = position
                case .parameter:
                    guard let running = fold(running: binding.node), running.element == function.text else { continue }
                    iterable = running.items
                    index = nil
                default:
                    continue
                }
                guard let entries = tableEntries(iterable, depth: 0) else {
                    // A list, or a registry of lists, filled by `append` (`self.callbacks[event].append(fn)` in an
                    // `add_callback(self, event, fn)` the script calls with its functions, see `appendedEntries`).
                    if case .iteration = binding.kind, let appended = appendedEntries(function) {
                        let found = appended.flatMap { functionsDenoted(by: $0.argument, depth: 0) }
                        if !found.isEmpty { return found }
                    }
                    continue
                }
                let chosen = entries.compactMap { entry -> Node? in
                    let e = unwrapped(entry)
                    guard let index, ["tuple", "list"].contains(e.type) else { return index == nil ? e : nil }
                    let items = e.namedChildren.filter { $0.type != "comment" }
                    return index < items.count ? items[index] : nil
                }
                let found = chosen.flatMap { entry -> [Function] in
                    let denoted = functionsDenoted(by: entry, depth: 0)
                    guard denoted.isEmpty, entry.type == "identifier" else { return denoted }
                    let values = dataflow.bindings(of: entry.text, at: entry).filter { $0.kind == .value }
                    return values.count == 1 ? functionsDenoted(by: values[0].node, depth: 0) : []
                }
                if !found.isEmpty { return found }
            }
        }
        // A name unpacked from what a factory of the file returns (`init, update = make_optimizer(...)`, with
        // `return init_fn, update_fn`), also a field of `self` set so (`init_w, self.blend = make_mixer()`): the
        // function at that place of the returned tuple.
        if let function = call.function, function.type == "identifier" || function.type == "attribute" && function.child(byField: "object")?.text == "self" {
            let bindings = function.type == "identifier" ? dataflow.bindings(of: function.text, at: call.node) : dataflow.bindings(ofReference: function)
            for binding in bindings {
                guard case .element(let index) = binding.kind, case let value = unwrapped(binding.node), value.type == "call",
                      let factory = calledFunction(callSite(value)) else { continue }
                let found = returnedValues(factory).map(unwrapped).filter { ["tuple", "expression_list"].contains($0.type) }
                    .compactMap { tuple -> Node? in
                        let items = tuple.namedChildren.filter { $0.type != "comment" }
                        return index < items.count ? items[index] : nil
                    }
                    .flatMap { item in functionsDenoted(by: item, depth: 0).isEmpty
                        ? self.function(named: unwrapped(item).text).filter { isInside($0.node, factory.node) && $0.node != factory.node }
                        : functionsDenoted(by: item, depth: 0) }
                if !found.isEmpty { return found }
            }
        }
        // A function a call of the file returns, called at once (`partition_for(g)(g)` with `partition_for` returning
        // `_fused_qkv if rows == 3 * cols else _whole`): every function it may return.
        if let function = call.function.map(unwrapped), function.type == "call" {
            let found = functionsDenoted(by: function, depth: 0)
            if !found.isEmpty { return found }
        }
        // A local name given a function of the file, or one of two (`func = _multi_tensor_adam if foreach else
        // _single_tensor_adam; func(...)`, as PyTorch's own optimizers dispatch).
        if let function = call.function, function.type == "identifier", functionValuedNames.contains(function.text),
           enclosingFunction(call.node) != nil, let value = latestValue(of: function.text, before: call.node).map(unwrapped) {
            let options = value.type == "conditional_expression" ? value.namedChildren.filter { $0.type != "comment" }.enumerated()
                .filter { $0.offset != 1 }.map { unwrapped($0.element) } : [value]
            let found = options.flatMap { option in
                option.type == "identifier" ? self.function(named: option.text).filter { enclosingClass($0.node) == nil } : []
            }
            if !found.isEmpty, found.count >= options.count { return found }
        }
        // A function an optimizer keeps in its groups (`ortho = group["ortho_fn"]`, see `groupEntryFunctions`).
        let kept = groupEntryFunctions(call)
        if !kept.isEmpty { return kept }
        // A local name holding a function made by a wrapper or a factory of the file (`orth = functools.partial(
        // backend(group["backend"]), steps=5)`, with `backend` returning one of the file's functions).
        // (At module level, a name bound once: `step_fn = net.build_step()` before the training loop.) Also a method a
        // class of the file holds as a namespace (`zeroth = Backends.newton_schulz`, `getattr(Backends, key)`).
        if let function = call.function, function.type == "identifier",
           enclosingFunction(call.node) != nil || allSettings.settings(function.text).count == 1,
           let value = latestValue(of: function.text, before: call.node).map(unwrapped), value.type == "call" || value.type == "attribute" {
            let found = functionsDenoted(by: value, depth: 0)
            if !found.isEmpty { return found }
        }
        // A method of a class of the file called on an instance held by a plain name or an attribute
        // (`window.update(step)` with `window = WindowSize()`, `self.lit.configure_optimizers()`, `ctx.rope.rotate(q)`
        // with `ctx: Context` and `rope: Rotary` a field of `Context`).
        if let receiver = call.receiver, receiver.type == "identifier" || (receiver.type == "attribute" && isReferenceChain(receiver)),
           let function = call.function, function.type == "attribute",
           methodNames.contains(call.name),
           // Not a module's attribute (`torch.cuda.synchronize()`): the chain's root is no imported name.
           imports.bindings[receiver.text.split(separator: ".").first.map(String.init) ?? receiver.text] == nil {
            let instances = dataflow.instanceClasses(of: receiver)
            if !instances.isEmpty {
                // Own or inherited (`self.ownership.owns(i)`, `owns` written once in the policies' base class).
                var methods: [Function] = []
                for name in instances.sorted() {
                    guard let c = boundClass(named: name), let m = method(call.name, of: c), !methods.contains(where: { $0.node == m.node }) else { continue }
                    methods.append(m)
                }
                if !methods.isEmpty { return methods }
            }
        }
        guard let function = call.function, isReferenceChain(function) || function.type == "subscript",
              let name = SettingsTable.bareName(of: function) else { return [] }
        if let module = moduleConstructor(function.type == "attribute" && isReferenceChain(function) ? function.text : name),
           let c = boundClass(named: module.callee) {
            // With the modules surgery on the built model puts in its place (`state.model.squash = Sigmoid(30.0)`).
            var found = moduleEntryPoints(c)
            for other in dataflow.surgeryClasses(of: function) {
                guard let d = boundClass(named: other) else { continue }
                for f in moduleEntryPoints(d) where !found.contains(where: { $0.node == f.node }) { found.append(f) }
            }
            return found
        }
        // A module held by a plain name set elsewhere (`def train(model, ...)`, called with `GPT(cfg)`), or a callable
        // object held by an attribute of `self` (`self.backend = backend or Factory.create("ns")`): what calling an
        // instance of each of its classes runs, an inherited `__call__` included (`moduleEntryPoints`).
        guard function.type == "identifier" || function.type == "attribute" && function.child(byField: "object")?.text == "self"
        else { return [] }
        let instances = dataflow.instanceClasses(of: function)
        guard !instances.isEmpty else { return handedFunctions(function) }
        var found: [Function] = []
        for name in instances.sorted() {
            guard let c = boundClass(named: name) else { continue }
            for f in moduleEntryPoints(c) where !found.contains(where: { $0.node == f.node }) { found.append(f) }
        }
        return found
    }

    /// What calling `C[key]` runs, for `C` a class of the file subscripted through its metaclass's `__getitem__`
    /// (`class ZeroPower(metaclass=Registry)`, with `Registry` a class of the file, see `metaclass(of:)`) or its own or
    /// inherited `__class_getitem__`, when that getter returns an object it builds from what it looks up
    /// (`return cls.table[key]()`, `return cls()`): the entry points (`__call__`, `forward`, see `moduleEntryPoints`) of
    /// `C` and of its subclasses in the file, abstract stubs left out (the key may pick any registered class). Empty
    /// for any other name, and for a getter that returns a class or a function (`return cls.table[key]`).
    func classSubscriptTargets(_ name: Node) -> [Function] {
        guard name.type == "identifier", let c = boundClass(named: name.text),
              let getter = metaclass(of: c).flatMap({ method("__getitem__", of: $0) }) ?? method("__class_getitem__", of: c),
              returnedValues(getter).contains(where: { value in
                  let v = unwrapped(value)
                  return v.type == "call" && v.child(byField: "function").map { ["subscript", "identifier"].contains(unwrapped($0).type) } == true
              }) else { return [] }
        var found: [Function] = []
        for sub in classes where lineage(of: sub).contains(where: { $0.node == c.node }) {
            for f in moduleEntryPoints(sub) where !isAbstractStub(f) && !found.contains(where: { $0.node == f.node }) { found.append(f) }
        }
        return found
    }

    /// The class of the file a class names as its metaclass (`class ZeroPower(metaclass=Registry)`), or the one the
    /// nearest base class of the file that names one does; nil when none names a class of the file.
    public func metaclass(of owner: Class) -> Class? {
        for c in lineage(of: owner) where c.node.type == "class_definition" {
            for argument in c.node.child(byField: "superclasses")?.namedChildren ?? [] where argument.type == "keyword_argument" {
                guard argument.child(byField: "name")?.text == "metaclass", let value = argument.child(byField: "value") else { continue }
                return boundClass(named: unwrapped(value).text)
            }
        }
        return nil
    }

    /// The functions of the file a called name holds when it is handed in (see `heldFunctions`): a parameter every
    /// call leaves at or sets to one (`def __init__(self, params, orthogonalizer=_orthogonalize)`), also read through the
    /// attribute of `self` it is copied to (`self.orthogonalizer = orthogonalizer`, then `self.orthogonalizer(g)`).
    /// Empty unless every value it may hold denotes functions of the file (`functionsDenoted`).
    func handedFunctions(_ node: Node, depth: Int = 0) -> [Function] {
        guard depth < 3 else { return [] }
        var found: [Function] = []
        for value in heldFunctions(node).map(unwrapped) where value != node {
            var denoted = functionsDenoted(by: value, depth: 0)
            if denoted.isEmpty, value.type == "identifier" || value.type == "attribute" { denoted = handedFunctions(value, depth: depth + 1) }
            guard !denoted.isEmpty else { return [] }
            for f in denoted where !found.contains(where: { $0.node == f.node }) { found.append(f) }
        }
        return found
    }

    /// `getattr(obj, "name")(...)`, or `getattr(obj, hook)(...)` inside a function whose callers pass `hook` as
    /// names (a trainer running its callbacks' hooks: `def _call(self, hook, *args): for cb in self.callbacks:
    /// getattr(cb, hook)(self, *args)`, called as `self._call("on_train_batch_start", module, step)`): the methods
    /// of those names (own or inherited) in the classes of the file `obj` may be an instance of (none when those are
    /// unknown).
    func hookTargets(_ call: CallSite) -> [Function] {
        guard let function = call.function.map(unwrapped), function.type == "call" else { return [] }
        let lookup = callSite(function)
        guard lookup.callee == "getattr", lookup.positional.count >= 2 else { return [] }
        let key = unwrapped(lookup.positional[1])
        var names: Set<String> = []
        if let name = SettingsTable.stringValue(key) {
            names = [name]
        } else if key.type == "identifier" {
            for binding in dataflow.bindings(of: key.text, at: key) {
                for argument in dataflow.passedArguments(binding, name: key.text) {
                    if let name = SettingsTable.stringValue(unwrapped(argument)) { names.insert(name) }
                }
            }
        }
        guard !names.isEmpty else { return [] }
        // Only the classes of the objects the call can reach: a callback built but never handed over is not run.
        // Each runs its own method of that name, or the one it inherits.
        var found: [Function] = []
        for name in dataflow.instanceClasses(of: lookup.positional[0]).sorted() {
            guard let c = boundClass(named: name) else { continue }
            for hook in names.sorted() {
                if let method = method(hook, of: c), !found.contains(where: { $0.node == method.node }) { found.append(method) }
            }
        }
        return found
    }

    /// What calling a module instance runs: its class's `forward` or `__call__`, or the method a class-level alias
    /// names (`forward = call`).
    public func moduleEntryPoints(_ c: Class) -> [Function] {
        let own = forwardMethods(of: c)
        guard own.isEmpty, let body = c.body else { return own }
        for statement in body.namedChildren where statement.type == "expression_statement" {
            guard let assignment = statement.namedChildren.first, assignment.type == "assignment",
                  let left = assignment.child(byField: "left"), ["forward", "__call__"].contains(left.text),
                  let right = assignment.child(byField: "right"), right.type == "identifier" else { continue }
            return function(named: right.text).filter { enclosingClass($0.node)?.node == c.node }
        }
        return own
    }

    /// A function and the functions it calls (directly or through modules, kernel launches and operators a class of the
    /// file overloads, `turn * q` running `HalfTurn.__mul__`, see `operatorMethods`), and the property getters its
    /// attribute reads run (`update * self.gain`, see `propertyGetter`), up to `depth`.
    public func reachableFunctions(from function: Function, depth: Int = 2) -> [Function] {
        if let known = reachableMemo[function.node]?[depth] { return known }
        let result = computeReachableFunctions(from: function, depth: depth)
        reachableMemo[function.node, default: [:]][depth] = result
        return result
    }

    private func computeReachableFunctions(from function: Function, depth: Int) -> [Function] {
        var result = [function]
        // Each function with the most calls it may still follow when reached. `Fn.apply(x)` reaching the `forward`
        // of an autograd function is plumbing, not a step: it does not count against `depth`.
        var budget: [Node: Int] = [function.node: depth]
        var pending = [function]
        while let f = pending.popLast() {
            let remaining = budget[f.node] ?? 0
            guard remaining > 0 else { continue }
            for n in descendants(of: f.node) where n.type == "call" || n.type == "attribute" || Self.operatorNodeTypes.contains(n.type) {
                // A property read runs its getter (`update * self.gain`).
                if n.type == "attribute" {
                    guard let getter = propertyGetter(n), remaining - 1 > budget[getter.node] ?? -1 else { continue }
                    if budget[getter.node] == nil { result.append(getter) }
                    budget[getter.node] = remaining - 1
                    pending.append(getter)
                    continue
                }
                // An operator on an instance of a class of the file runs its method (`turn * q`: `HalfTurn.__mul__`).
                guard n.type == "call" else {
                    for target in operatorMethods(n).map(\.method) where remaining - 1 > budget[target.node] ?? -1 {
                        if budget[target.node] == nil { result.append(target) }
                        budget[target.node] = remaining - 1
                        pending.append(target)
                    }
                    continue
                }
                let call = callSite(n)
                let left = call.name == "apply" && !autogradForwards(call).isEmpty ? remaining : remaining - 1
                for target in targets(of: call) where left > budget[target.node] ?? -1 {
                    if budget[target.node] == nil { result.append(target) }
                    budget[target.node] = left
                    pending.append(target)
                }
            }
        }
        return result
    }

    static let operatorNodeTypes: Set<String> = ["binary_operator", "augmented_assignment", "unary_operator", "comparison_operator"]

    /// The methods Python runs for each binary operator: the left operand's, then the reflected one of the right
    /// operand (an augmented assignment `x *= y` tries `__imul__` before `__mul__`).
    static let operatorMethodNames: [String: (method: String, reflected: String)] = [
        "+": ("__add__", "__radd__"), "-": ("__sub__", "__rsub__"), "*": ("__mul__", "__rmul__"),
        "@": ("__matmul__", "__rmatmul__"), "/": ("__truediv__", "__rtruediv__"), "//": ("__floordiv__", "__rfloordiv__"),
        "%": ("__mod__", "__rmod__"), "**": ("__pow__", "__rpow__"), "<<": ("__lshift__", "__rlshift__"),
        ">>": ("__rshift__", "__rrshift__"), "&": ("__and__", "__rand__"), "|": ("__or__", "__ror__"), "^": ("__xor__", "__rxor__"),
    ]

    /// The method Python runs for each unary operator (`-stack` runs `stack.__neg__()`).
    static let unaryOperatorMethodNames: [String: String] = ["-": "__neg__", "+": "__pos__", "~": "__invert__"]

    /// The methods Python runs for each comparison: the left operand's, then the reflected one of the right operand
    /// (`a < b` tries `a.__lt__(b)`, then `b.__gt__(a)`). A membership test is the right operand's `__contains__`
    /// (`i in owner` runs `owner.__contains__(i)`; `not in` negates it); `is` runs no method.
    static let comparisonMethodNames: [String: (method: String, reflected: String)] = [
        "<": ("__lt__", "__gt__"), "<=": ("__le__", "__ge__"), ">": ("__gt__", "__lt__"), ">=": ("__ge__", "__le__"),
        "==": ("__eq__", "__eq__"), "!=": ("__ne__", "__ne__"),
    ]

    /// The operator methods the file's classes define or bind in their bodies (`def __mul__`, `__rmul__ = __mul__`):
    /// an operator whose methods are not among them runs no code of the file, and is not looked at further.
    private var overloadedOperatorNames: Set<String> {
        memoized("overloadedOperatorNames") {
            let all = Set(Self.operatorMethodNames.values.flatMap { [$0.method, $0.reflected, "__i" + String($0.method.dropFirst(2))] })
                .union(Self.unaryOperatorMethodNames.values).union(Self.comparisonMethodNames.values.map(\.method)).union(["__contains__"])
            var names = Set(functions.filter { all.contains($0.name) && enclosingClass($0.node) != nil }.map(\.name))
            for c in classes {
                for statement in c.body?.namedChildren ?? [] where statement.type == "expression_statement" {
                    guard let a = statement.namedChildren.first, a.type == "assignment",
                          let left = a.child(byField: "left"), all.contains(left.text) else { continue }
                    names.insert(left.text)
                }
            }
            return names
        }
    }

    /// A class's method of that name (own or inherited), or the method its body binds under that name
    /// (`__rmul__ = __mul__`, `__call__ = __matmul__`).
    func memberMethod(_ name: String, of owner: Class) -> Function? {
        if let found = method(name, of: owner) { return found }
        for c in lineage(of: owner) {
            for statement in c.body?.namedChildren ?? [] where statement.type == "expression_statement" {
                guard let a = statement.namedChildren.first, a.type == "assignment", a.child(byField: "left")?.text == name,
                      let right = a.child(byField: "right"), right.type == "identifier", right.text != name,
                      let found = method(right.text, of: c) else { continue }
                return found
            }
        }
        return nil
    }

    /// The methods an operator expression runs (`turn * q` running `HalfTurn.__mul__`, `normalize @ model` running
    /// `UnitGrad.__matmul__`, `peak * schedule` running the schedule's `__rmul__`): for a binary operator or an
    /// augmented assignment, that operator's method of each class of the file the left operand may be an instance of
    /// (`dataflow.instanceClasses`), and the reflected method of the right operand's classes; each with the operand
    /// it is called on (its `self`) and the other operand. A unary operator runs its operand's method (`-stack`:
    /// `__neg__`, `+buffer`: `__pos__`, `~x`: `__invert__`; the other operand is the operand itself); a comparison
    /// runs, for each pair it compares, the left operand's method and the right operand's reflected one (`a < b`:
    /// `__lt__`, then `__gt__`), and a membership test the container's `__contains__` (`i in owner`: the other operand
    /// is `i`). Own, inherited and aliased methods count (`memberMethod`).
    public func operatorMethods(_ node: Node) -> [(method: Function, operand: Node, other: Node)] {
        guard Self.operatorNodeTypes.contains(node.type) else { return [] }
        let defined = overloadedOperatorNames
        guard !defined.isEmpty else { return [] }
        var found: [(method: Function, operand: Node, other: Node)] = []
        // The first of `candidates` each class of the file `operand` may be an instance of has (own, inherited or aliased).
        func dispatch(_ candidates: [String], on operand: Node, other: Node) {
            guard !candidates.isEmpty, !defined.isDisjoint(with: candidates),
                  !["integer", "float", "string"].contains(unwrapped(operand).type) else { return }
            for name in dataflow.instanceClasses(of: operand).sorted() {
                guard let c = boundClass(named: name),
                      let m = candidates.lazy.compactMap({ self.memberMethod($0, of: c) }).first,
                      !found.contains(where: { $0.method.node == m.node }) else { continue }
                found.append((m, operand, other))
            }
        }
        switch node.type {
        case "unary_operator":
            guard let symbol = node.child(byField: "operator")?.type, let name = Self.unaryOperatorMethodNames[symbol],
                  let operand = node.child(byField: "argument") else { return [] }
            dispatch([name], on: operand, other: operand)
        case "comparison_operator":
            // `a < b < c` compares `a` with `b`, then `b` with `c`.
            let operands = node.namedChildren.filter { $0.type != "comment" }
            let operators = node.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == operators.count + 1 else { return [] }
            for (index, symbol) in operators.enumerated() {
                let (left, right) = (operands[index], operands[index + 1])
                if symbol == "in" || symbol == "not in" {
                    dispatch(["__contains__"], on: right, other: left)
                } else if let names = Self.comparisonMethodNames[symbol] {
                    dispatch([names.method], on: left, other: right)
                    dispatch([names.reflected], on: right, other: left)
                }
            }
        default:
            guard let symbol = node.child(byField: "operator")?.type,
                  let left = node.child(byField: "left"), let right = node.child(byField: "right") else { return [] }
            let augmented = node.type == "augmented_assignment"
            guard let names = Self.operatorMethodNames[augmented ? String(symbol.dropLast()) : symbol] else { return [] }
            let forward: [String] = (augmented ? ["__i" + String(names.method.dropFirst(2))] : []) + [names.method]
            dispatch(forward, on: left, other: right)
            if !augmented { dispatch([names.reflected], on: right, other: left) }
        }
        return found
    }

    /// The methods of the file's classes a node runs on an object, each with that object: a method called on an
    /// instance (`skips.push(x)`, `self.owner.owns(i)`, see `targets(of:)`), or the method an operator runs on its
    /// operand (`skips << x`, `-skips`, `i in owner`, see `operatorMethods`).
    public func dispatchedMethods(_ node: Node) -> [(method: Function, object: Node)] {
        if Self.operatorNodeTypes.contains(node.type) { return operatorMethods(node).map { (method: $0.method, object: $0.operand) } }
        guard node.type == "call", case let call = callSite(node), let receiver = call.receiver,
              call.function?.type == "attribute" else { return [] }
        return targets(of: call).filter { $0.name == call.name && $0.receiver != nil && enclosingClass($0.node) != nil }.map { (method: $0, object: receiver) }
    }
}
