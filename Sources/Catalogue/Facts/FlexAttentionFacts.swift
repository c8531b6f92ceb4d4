import Foundation
import Parsing
import TreeSitterKit

/// A mask function handed to a BlockMask (`mask_mod`): a `def` or a lambda with (b, h, q_idx, kv_idx).
public struct MaskMod {
    /// The `function_definition` or `lambda` node.
    public let node: Node
    public let parameters: [String]
    /// The expressions it returns (a lambda's body).
    public let results: [Node]
    /// For a conjunction of mask functions (`and_masks(causal, same_document)`), the functions it joins; each
    /// keeps its own position names. Empty for one function.
    var parts: [MaskMod] = []
    /// The query and key index parameter names (the last two parameters).
    public var queryIndex: String? { parameters.count >= 2 ? parameters[parameters.count - 2] : nil }
    public var keyIndex: String? { parameters.last }
    /// The mask functions whose results must all hold: the parts of a conjunction, or the function itself.
    public var conjuncts: [MaskMod] { parts.isEmpty ? [self] : parts.flatMap(\.conjuncts) }
}

extension PythonFacts {
    static let flexAttentionName = "torch.nn.attention.flex_attention.flex_attention"
    static let createBlockMaskName = "torch.nn.attention.flex_attention.create_block_mask"
    /// Calls that hand back the function they are given, compiled or partially applied.
    static let rebindingWrappers: Set<String> = ["torch.compile", "functools.partial", "partial"]

    /// Whether an expression names FlexAttention's kernel: the imported function (any alias, module alias), or
    /// a name bound to `torch.compile(flex_attention, ...)`.
    public func namesFlexAttention(_ callee: Node, depth: Int = 0) -> Bool {
        namesFunction(callee, Self.flexAttentionName, depth: depth)
    }

    /// Whether an expression names the function `qualified` (imported, aliased, bound once to a second name
    /// (`make_blocks = fa.create_block_mask`, see `plainAliases`), rebound through `torch.compile(...)` /
    /// `functools.partial(...)`, or handed in: a parameter every call leaves at or sets to
    /// it, `def __init__(self, kernel=flex_attention)`, also read through the attribute `self._kernel = kernel`).
    public func namesFunction(_ expression: Node, _ qualified: String, depth: Int = 0) -> Bool {
        let node = unwrapped(expression)
        if fullImports.resolves(node, to: qualified) { return true }
        // An entry of a table of kernels read by a string key (`KERNELS["attention"]` with `KERNELS = {"attention":
        // torch.compile(flex_attention), ...}`): what the entry holds, through `torch.compile`.
        if depth < 4, node.type == "subscript", let table = node.child(byField: "value"),
           let key = node.child(byField: "subscript").flatMap({ SettingsTable.stringValue(unwrapped($0)) }),
           let entries = keyedEntries(table, key: key, depth: 0), !entries.isEmpty {
            return entries.allSatisfy { entry in
                var held = unwrapped(entry)
                if held.type == "call", callSite(held).callee == "torch.compile", let wrapped = callSite(held).positional.first { held = unwrapped(wrapped) }
                return namesFunction(held, qualified, depth: depth + 1)
            }
        }
        guard depth < 4, node.type == "identifier" || node.type == "attribute",
              let name = SettingsTable.bareName(of: node) else { return false }
        if let wrapped = rebindings[name], wrapped.contains(where: { $0 != node && namesFunction($0, qualified, depth: depth + 1) }) {
            return true
        }
        // A second name for it (a parameter of that name is what its callers pass, read below).
        if let alias = plainAliases[name], alias.written == node.text, alias.value != node,
           node.type != "identifier" || parameterOwner(of: node) == nil,
           namesFunction(alias.value, qualified, depth: depth + 1) {
            return true
        }
        let held = heldFunctions(node)
        return !held.isEmpty && held.allSatisfy { $0 != node && namesFunction($0, qualified, depth: depth + 1) }
    }

    /// What a name that is called may hold when it is handed in rather than imported: for a parameter, what every
    /// call passes or the default (`heldArguments`); for an attribute of `self`, the values its assignments give
    /// (`self._kernel = kernel`), when every setting of that name is such an assignment. Empty otherwise.
    func heldFunctions(_ node: Node) -> [Node] {
        if node.type == "identifier" {
            guard parameterOwner(of: node) != nil else { return [] }
            return heldArguments(of: node) ?? []
        }
        guard node.type == "attribute", node.child(byField: "object")?.text == "self",
              let name = node.child(byField: "attribute")?.text else { return [] }
        // A property of the class returning the function (`@property def kernel(self): return flex_attention`).
        if let getter = propertyGetter(node) {
            let returned = returnedValues(getter).map(unwrapped)
            return returned.allSatisfy({ ["identifier", "attribute"].contains($0.type) }) ? returned : []
        }
        // A parameter of the same name (`kernel=flex_attention` in `__init__`) is not a write of the attribute; any
        // other write of the name (`attn.kernel = sdpa`) leaves it open.
        let settings = allSettings.settings(name).filter { $0.source != .parameterDefault }
        guard settings.allSatisfy({ $0.written == node.text }) else { return [] }
        return settings.map(\.value)
    }

    /// Names whose one setting is an assignment of another name or attribute (`make_blocks = fa.create_block_mask`,
    /// `self.attend = flex_attention`, a library function fetched into a local of a builder), with that setting. A
    /// name set more than once, or only by a parameter default (see `heldFunctions`), is left out. Read once per file.
    var plainAliases: [String: Setting] {
        memoized("plainAliases") {
            var result: [String: Setting] = [:]
            for (name, settings) in allSettings.byName {
                guard settings.count == 1, let only = settings.first, [.localAssignment, .moduleAssignment].contains(only.source),
                      ["identifier", "attribute"].contains(unwrapped(only.value).type) else { continue }
                result[name] = only
            }
            return result
        }
    }

    /// For each name set to a rebinding wrapper's result (`name = torch.compile(f, ...)`,
    /// `name = partial(f, ...)`), the functions it wraps, in the order of its settings. Read once per file.
    var rebindings: [String: [Node]] {
        memoized("rebindings") {
            let table = fullImports
            var result: [String: [Node]] = [:]
            for (name, settings) in allSettings.byName {
                for setting in settings {
                    // The callee alone decides most settings (a module built from its class), without reading the call.
                    let value = unwrapped(setting.value)
                    guard value.type == "call", let function = value.child(byField: "function"),
                          let callee = table.qualifiedName(of: function), Self.rebindingWrappers.contains(callee),
                          let wrapped = CallSite(node: value, imports: table).positional.first else { continue }
                    result[name, default: []].append(wrapped)
                }
            }
            return result
        }
    }

    /// Calls of FlexAttention's kernel.
    public var flexAttentionCalls: [CallSite] {
        memoized("flexAttentionCalls") {
            let table = fullImports
            return calls.filter { call in
                guard let function = call.function else { return false }
                if function.type == "call" {
                    // torch.compile(flex_attention)(q, k, v, block_mask=...)
                    let wrapper = CallSite(node: function, imports: table)
                    return wrapper.callee == "torch.compile" && wrapper.positional.first.map { namesFunction($0, Self.flexAttentionName) } == true
                }
                guard ["identifier", "attribute", "subscript"].contains(function.type) else { return false }
                return namesFunction(function, Self.flexAttentionName)
            }
        }
    }

    /// The block mask a FlexAttention call receives (`block_mask=` or the fifth positional argument), unless
    /// it is `None`; also the one bound by `functools.partial` into a function handed in to the caller
    /// (`attend = functools.partial(flex, block_mask=bm)`, then `layer(x, p, attend)` calls `attend(q, k, v)`).
    public func blockMaskArgument(_ call: CallSite) -> Node? {
        if let mask = call.argument("block_mask", position: 4) { return unwrapped(mask).type != "none" ? mask : nil }
        guard let function = call.function.map(unwrapped), function.type == "identifier" || function.type == "attribute" else { return nil }
        for held in heldFunctions(function) {
            var value = unwrapped(held)
            if value.type == "identifier", let bound = latestValue(of: value.text, before: value) { value = unwrapped(bound) }
            guard value.type == "call", Self.partialWrappers.contains(callSite(value).callee),
                  let mask = callSite(value).keywords["block_mask"], unwrapped(mask).type != "none" else { continue }
            return mask
        }
        return nil
    }

    /// `create_block_mask(...)` calls (any alias, compiled or not).
    public var createBlockMaskCalls: [CallSite] {
        memoized("createBlockMaskCalls") {
            calls.filter { call in
                guard call.name == "create_block_mask" || call.receiver == nil, let function = call.function else { return false }
                return namesFunction(function, Self.createBlockMaskName)
            }
        }
    }

    /// `BlockMask.from_kv_blocks(...)` calls (any alias of `BlockMask` or of the flex_attention module).
    public var fromKVBlocksCalls: [CallSite] {
        memoized("fromKVBlocksCalls") {
            let table = fullImports
            return calls.filter { call in
                guard call.name == "from_kv_blocks", let function = call.function else { return false }
                let callee = table.qualifiedName(of: function) ?? call.callee
                return callee.hasSuffix("BlockMask.from_kv_blocks") || callee.hasPrefix("torch.nn.attention")
            }
        }
    }

    /// Dense masks applied to attention: the `attn_mask` of `F.scaled_dot_product_attention`, and masks applied by hand
    /// to scores that a softmax then reads (`scores.masked_fill(~allowed, float("-inf"))`, `torch.where(allowed,
    /// scores, -inf)`, in a function that calls `softmax`).
    public var denseAttentionMasks: [Node] {
        memoized("denseAttentionMasks") {
            var masks = calls(to: ["torch.nn.functional.scaled_dot_product_attention"]).compactMap { $0.argument("attn_mask", position: 3) }
            let softmaxScopes = Set(calls(named: "softmax").compactMap { enclosingFunction($0.node)?.node })
            for call in calls where ["masked_fill", "masked_fill_", "where"].contains(call.name) {
                let arguments = call.name == "where" && call.receiver == nil ? call.positional : (call.receiver.map { [$0] } ?? []) + call.positional
                guard arguments.count == 3 || (call.name != "where" && arguments.count >= 3),
                      let mask = call.name == "where" ? arguments.first : arguments.dropFirst().first,
                      let fill = arguments.last, isNegativeInfinity(fill),
                      let function = enclosingFunction(call.node), softmaxScopes.contains(function.node) else { continue }
                masks.append(mask)
            }
            return masks
        }
    }

    /// `float("-inf")`, `-float("inf")`, `-math.inf`, `-torch.inf`, `torch.finfo(...).min`, or a number at most -1e4.
    func isNegativeInfinity(_ node: Node) -> Bool {
        let node = unparenthesized(node)
        let text = node.text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\"", with: "'")
        if ["float('-inf')", "-float('inf')", "-math.inf", "-torch.inf", "-np.inf", "-numpy.inf"].contains(text) { return true }
        if node.type == "attribute", node.child(byField: "attribute")?.text == "min",
           let object = node.child(byField: "object"), object.type == "call", callSite(object).name == "finfo" { return true }
        if let v = value(of: node)?.double { return v <= -1e4 }
        return false
    }

    /// The mask functions given to BlockMask constructors: `create_block_mask(mask_mod, ...)` and
    /// `BlockMask.from_kv_blocks(..., mask_mod=...)`, resolved to their `def` or lambda.
    public func maskMods(_ flow: Dataflow) -> [(constructor: CallSite, mask: MaskMod)] {
        var result: [(CallSite, MaskMod)] = []
        for call in createBlockMaskCalls {
            if let argument = call.argument("mask_mod", position: 0), let mask = maskMod(argument, flow) { result.append((call, mask)) }
        }
        for call in fromKVBlocksCalls {
            if let argument = call.argument("mask_mod", position: 5), let mask = maskMod(argument, flow) { result.append((call, mask)) }
        }
        return result
    }

    /// Resolves a function reference (a name of a `def`, a lambda, a name bound to a lambda, a parameter fed
    /// one of those, a callable object of a class of the file, or a factory's result) to a mask function. Mask objects
    /// of the file's classes are read too: a property of the object (`self.mask`) is what its getter returns; an
    /// object's method handing back a function that calls the object (`self.mask.as_mask_mod()`, see
    /// `callsOwnObject`) is the object's mask; an object whose `__call__` conjoins the terms it is built with
    /// (`AllOf(causal, same_doc)`, see `conjoinsTerms`), or an overloaded operator whose method returns one
    /// (`Causal() & SameDocument(ids)` with `__and__` returning `AllOf(self, other)`), is the conjunction of its terms.
    public func maskMod(_ reference: Node, _ flow: Dataflow, depth: Int = 0) -> MaskMod? {
        let node = unwrapped(reference)
        if node.type == "lambda", let body = node.child(byField: "body") {
            return MaskMod(node: node, parameters: flow.parameters(of: node), results: [body])
        }
        // A property of the object (`self.mask`): the value its getter returns.
        if depth < 4, node.type == "attribute", let value = instanceMethodResult(node) {
            return maskMod(value, flow, depth: depth + 1)
        }
        // `a & b` on mask objects: the terms of the conjunction its method builds (the operands are parts of the
        // expression, not a step to other code).
        if depth < 4, node.type == "binary_operator" {
            for (method, operand, other) in operatorMethods(node) {
                guard let receiver = method.receiver, let otherName = method.passedParameters.first else { continue }
                for returned in flow.returns(of: method.node).map(unwrapped) {
                    guard returned.type == "call", case let built = callSite(returned), !built.hasSplat,
                          let owner = boundClass(named: built.callee), conjoinsTerms(owner, flow) else { continue }
                    // Its object and the other operand stand for the operands; any other term is a step into the method.
                    let parts = built.positional.map(unwrapped).compactMap { term -> MaskMod? in
                        if term.text == receiver { return maskMod(operand, flow, depth: depth) }
                        if term.text == otherName { return maskMod(other, flow, depth: depth) }
                        return maskMod(term, flow, depth: depth + 1)
                    }
                    if let first = parts.first {
                        return MaskMod(node: node, parameters: first.parameters, results: parts.flatMap(\.results), parts: parts)
                    }
                }
            }
            return nil
        }
        // self.mask_fn: a method of the class (its `self` comes first, the positions last).
        if node.type == "attribute", let object = node.child(byField: "object"), object.text == "self",
           let name = node.child(byField: "attribute")?.text, let owner = enclosingClass(node),
           let method = method(name, of: owner) {
            return MaskMod(node: method.node, parameters: flow.parameters(of: method.node), results: flow.returns(of: method.node))
        }
        // A call that makes the mask function: an instance of a class of the file with `__call__`
        // (`SameDocument(ids)`), or a factory returning a nested def or a lambda (`make_rule(ids)`).
        // `partial(rule, docs)`, `torch.compile(rule)`: the wrapped function (the positions stay its last two
        // parameters).
        if depth < 4, node.type == "call", let function = node.child(byField: "function"),
           Self.rebindingWrappers.contains(fullImports.qualifiedName(of: function) ?? function.text),
           let wrapped = callSite(node).positional.first {
            return maskMod(wrapped, flow, depth: depth + 1)
        }
        // `and_masks(causal, same_document, window)`: every part must hold. (Parts not resolved only narrow the
        // mask further, so the known ones still hold.)
        if depth < 4, node.type == "call", let function = node.child(byField: "function"),
           fullImports.qualifiedName(of: function) == "torch.nn.attention.flex_attention.and_masks" {
            let parts = callSite(node).positional.compactMap { maskMod($0, flow, depth: depth + 1) }
            guard let first = parts.first else { return nil }
            return MaskMod(node: node, parameters: first.parameters, results: parts.flatMap(\.results), parts: parts)
        }
        // `mask.as_mask_mod()` on an object of the file's classes: a method handing back a function that calls the
        // object with the positions is the object's own mask.
        if depth < 4, node.type == "call", case let call = callSite(node), let receiver = call.receiver, unwrapped(receiver).text != "self",
           case let methods = targets(of: call), !methods.isEmpty, methods.allSatisfy({ callsOwnObject($0, flow) }) {
            return maskMod(receiver, flow, depth: depth + 1)
        }
        // `self.rule(docs)`: what the method returns (a nested def, a lambda), also when a subclass writes it (a
        // template method's hook, see `selfCallTargets`); the most derived one first.
        if depth < 4, node.type == "call", let function = node.child(byField: "function").map(unwrapped), function.type == "attribute",
           function.child(byField: "object")?.text == "self", let name = function.child(byField: "attribute")?.text,
           let owner = enclosingClass(node) {
            for method in selfCallTargets(name, in: owner).reversed() {
                for returned in flow.returns(of: method.node) {
                    if let mask = maskMod(returned, flow, depth: depth + 1) { return mask }
                }
            }
            return nil
        }
        if depth < 4, node.type == "call", let function = node.child(byField: "function").map(unwrapped), function.type == "identifier" {
            // A conjunction object built from its terms (`AllOf(causal, same_doc)`): every term must hold.
            if let owner = boundClass(named: function.text), conjoinsTerms(owner, flow), case let built = callSite(node), !built.hasSplat {
                let parts = built.positional.compactMap { maskMod($0, flow, depth: depth + 1) }
                if let first = parts.first {
                    return MaskMod(node: node, parameters: first.parameters, results: parts.flatMap(\.results), parts: parts)
                }
            }
            if let owner = boundClass(named: function.text),
               let method = method("__call__", of: owner) {
                return MaskMod(node: method.node, parameters: flow.parameters(of: method.node), results: flow.returns(of: method.node))
            }
            if let factory = self.function(named: function.text).first {
                // A combinator of the file that joins the mask functions it is given (`conjunction(causal,
                // same_document(docs))`, see `conjoinedMaskArguments`): every part must hold, as with `and_masks`.
                if let joined = conjoinedMaskArguments(callSite(node), factory, flow) {
                    let parts = joined.compactMap { maskMod($0, flow, depth: depth + 1) }
                    if let first = parts.first {
                        return MaskMod(node: node, parameters: first.parameters, results: parts.flatMap(\.results), parts: parts)
                    }
                }
                for returned in flow.returns(of: factory.node) {
                    if let mask = maskMod(returned, flow, depth: depth + 1) { return mask }
                }
            }
            return nil
        }
        guard depth < 4, node.type == "identifier" else { return nil }
        for binding in flow.bindings(of: node.text, at: node) {
            switch binding.kind {
            case .value:
                if binding.node.type == "function_definition" {
                    // A mask function joining predicates it draws from a list (`keep = keep & pred(b, h, q_idx,
                    // kv_idx)` for each `pred` of the list): every selected predicate must hold, as with `and_masks`.
                    if let predicates = conjoinedPredicates(binding.node, flow) {
                        let parts = predicates.compactMap { maskMod($0, flow, depth: depth + 1) }
                        if !parts.isEmpty {
                            return MaskMod(node: binding.node, parameters: flow.parameters(of: binding.node),
                                           results: parts.flatMap(\.results), parts: parts)
                        }
                    }
                    let returns = descendants(binding.node).filter {
                        $0.type == "return_statement" && flow.scopeChain(of: $0).first == binding.node
                    }.compactMap { $0.namedChildren.first }
                    return MaskMod(node: binding.node, parameters: flow.parameters(of: binding.node), results: returns)
                }
                if let mask = maskMod(binding.node, flow, depth: depth + 1) { return mask }
            case .parameter(let index):
                for site in flow.callSites(of: binding.node) {
                    if let argument = flow.argument(site, name: node.text, index: index),
                       let mask = maskMod(argument, flow, depth: depth + 1) { return mask }
                }
            default:
                continue
            }
        }
        return nil
    }

    /// The mask functions a combinator of the file joins with a conjunction, as `and_masks` does: for
    /// `conjunction(causal, same_document(docs))` with `def conjunction(*mods)` returning a nested mask function (or a
    /// lambda) whose result is `functools.reduce(operator.and_, [m(b, h, q_idx, kv_idx) for m in mods])` (the
    /// reduction also by `operator.iand`, `torch.logical_and`, `torch.bitwise_and` or `lambda a, b: a & b`), or
    /// `first(b, h, q_idx, kv_idx) & second(b, h, q_idx, kv_idx)` over its parameters, the arguments the call passes
    /// for those parameters: each argument of a `*mods`, the items of a list literal passed for a parameter the
    /// reduction iterates, the argument of a parameter called. Nil when the factory's mask function returns anything
    /// else (a disjunction with `|`, a term of its own beside the parts, a filtered comprehension).
    func conjoinedMaskArguments(_ call: CallSite, _ factory: Function, _ flow: Dataflow) -> [Node]? {
        // (Its own list, with `*mods`, which the data flow does not bind.)
        let parameters = factory.parameters
        guard !parameters.isEmpty, !call.hasSplat else { return nil }
        let variadic = Set(factory.node.child(byField: "parameters")?.namedChildren.filter { $0.type == "list_splat_pattern" }
            .compactMap { $0.namedChildren.first(where: { $0.type == "identifier" })?.text } ?? [])
        // What the returned mask functions return.
        var results: [Node] = []
        for returned in flow.returns(of: factory.node) {
            let r = unwrapped(returned)
            if r.type == "lambda", let body = r.child(byField: "body") {
                results.append(body)
                continue
            }
            guard r.type == "identifier",
                  let definition = flow.bindings(of: r.text, at: r).first(where: { $0.kind == .value && $0.node.type == "function_definition" })?.node
            else { return nil }
            let own = flow.returns(of: definition)
            guard !own.isEmpty else { return nil }
            results += own
        }
        guard !results.isEmpty else { return nil }
        // The parameters joined, each called (`first(...)`) or iterated by the reduction (`for m in mods`).
        var joined: [(name: String, iterated: Bool)] = []
        func conjoined(_ expression: Node) -> Bool {
            let e = unwrapped(expression)
            switch e.type {
            case "binary_operator":
                guard e.child(byField: "operator")?.type == "&", let left = e.child(byField: "left"), let right = e.child(byField: "right") else { return false }
                return conjoined(left) && conjoined(right)
            case "call":
                let c = callSite(e)
                if let f = c.function.map(unwrapped), f.type == "identifier", parameters.contains(f.text) {
                    joined.append((f.text, false))
                    return true
                }
                guard c.callee == "functools.reduce" || c.callee == "reduce", c.positional.count >= 2, isConjunction(c.positional[0], flow) else { return false }
                let items = unwrapped(c.positional[1])
                let clauses = items.namedChildren.filter { $0.type == "for_in_clause" }
                guard ["list_comprehension", "generator_expression"].contains(items.type), clauses.count == 1,
                      !items.namedChildren.contains(where: { $0.type == "if_clause" }),
                      let body = items.child(byField: "body").map(unwrapped), body.type == "call",
                      let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                      let source = clauses[0].child(byField: "right").map(unwrapped), source.type == "identifier", parameters.contains(source.text),
                      callSite(body).function.map({ unwrapped($0).text }) == variable.text else { return false }
                joined.append((source.text, true))
                return true
            default:
                return false
            }
        }
        guard results.allSatisfy(conjoined) else { return nil }
        var arguments: [Node] = []
        var seen = Set<String>()
        for (name, iterated) in joined where seen.insert(name).inserted {
            guard let index = parameters.firstIndex(of: name) else { return nil }
            if variadic.contains(name) {
                arguments += call.positional.dropFirst(index)
                continue
            }
            guard let argument = call.argument(name, position: index).map(unwrapped) else { return nil }
            if iterated {
                guard ["list", "tuple"].contains(argument.type) else { return nil }
                arguments += argument.namedChildren.filter { $0.type != "comment" }
            } else {
                arguments.append(argument)
            }
        }
        return arguments.isEmpty ? nil : arguments
    }

    /// The functions a mask function conjoins from a list of predicates it calls with its own positions last, as
    /// `and_masks` does over a list: each result is such a call (`preds[0](b, h, q_idx, kv_idx)`, `pred(...)` with
    /// `pred` a loop variable over the list or a slice of it), a reduction by a conjunction (see `isConjunction`) of
    /// `[p(b, h, q_idx, kv_idx) for p in preds]`, or a name every setting of which in the function is such a call, `True`,
    /// or an `&` of the name with such calls (`keep = preds[0](...)`, then `for pred in preds[1:]: keep = keep &
    /// pred(...)`, or `keep &= pred(...)`). The list's functions are read by `heldPredicates` (only the entries of a
    /// table the configured keys select). Nil when a result is anything else (a disjunction with `|`, a term of its own
    /// beside the predicates) or a list's functions are not known.
    func conjoinedPredicates(_ function: Node, _ flow: Dataflow) -> [Node]? {
        let parameters = flow.parameters(of: function)
        guard parameters.count >= 2 else { return nil }
        let positions = Array(parameters.suffix(2))
        var lists: [Node] = []
        // A call of a predicate drawn from a list, the positions passed last.
        func predicateCall(_ expression: Node) -> Bool {
            let e = unwrapped(expression)
            guard e.type == "call", case let c = callSite(e), !c.hasSplat, c.keywords.isEmpty,
                  c.positional.suffix(2).map({ unwrapped($0).text }) == positions,
                  let callee = c.function.map(unwrapped) else { return false }
            if callee.type == "subscript", let list = callee.child(byField: "value") {
                lists.append(list)
                return true
            }
            guard callee.type == "identifier", case let bindings = flow.bindings(of: callee.text, at: callee),
                  bindings.count == 1, bindings[0].kind == .iteration(nil) else { return false }
            lists.append(bindings[0].node)
            return true
        }
        // `acc & pred(...)` (chained too): the accumulator itself or predicate calls, at least one call.
        func accumulates(_ expression: Node, _ name: String) -> Bool {
            let e = unwrapped(expression)
            guard e.type == "binary_operator", e.child(byField: "operator")?.type == "&",
                  let left = e.child(byField: "left"), let right = e.child(byField: "right") else { return false }
            func term(_ side: Node) -> Bool {
                let s = unwrapped(side)
                return (s.type == "identifier" && s.text == name) || predicateCall(s) || accumulates(s, name)
            }
            return term(left) && term(right)
        }
        func conjoined(_ expression: Node) -> Bool {
            let e = unwrapped(expression)
            if predicateCall(e) { return true }
            if e.type == "call", case let c = callSite(e), c.callee == "functools.reduce" || c.callee == "reduce",
               c.positional.count >= 2, isConjunction(c.positional[0], flow) {
                let items = unwrapped(c.positional[1])
                let clauses = items.namedChildren.filter { $0.type == "for_in_clause" }
                guard ["list_comprehension", "generator_expression"].contains(items.type), clauses.count == 1,
                      !items.namedChildren.contains(where: { $0.type == "if_clause" }),
                      let body = items.child(byField: "body").map(unwrapped), body.type == "call",
                      let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                      let source = clauses[0].child(byField: "right"), case let each = callSite(body), !each.hasSplat,
                      each.function.map({ unwrapped($0).text }) == variable.text,
                      each.positional.suffix(2).map({ unwrapped($0).text }) == positions else { return false }
                lists.append(source)
                return true
            }
            // An accumulator set only in this function.
            guard e.type == "identifier", case let bindings = flow.bindings(of: e.text, at: e), !bindings.isEmpty,
                  bindings.allSatisfy({ flow.scopeChain(of: $0.site).first == function }) else { return false }
            return bindings.allSatisfy { binding in
                switch binding.kind {
                case .value:
                    let v = unwrapped(binding.node)
                    return v.type == "true" || predicateCall(v) || accumulates(v, e.text)
                case .augmented:
                    return binding.site.child(byField: "operator")?.type == "&=" && predicateCall(binding.node)
                default:
                    return false
                }
            }
        }
        let results = flow.returns(of: function)
        guard !results.isEmpty, results.allSatisfy(conjoined), !lists.isEmpty else { return nil }
        var predicates: [Node] = []
        var seen = Set<Node>()
        for list in lists {
            guard let held = heldPredicates(list, flow, depth: 0) else { return nil }
            predicates += held.filter { seen.insert($0).inserted }
        }
        return predicates.isEmpty ? nil : predicates
    }

    /// The functions a list of predicates holds: the items of a list or tuple literal, a slice or an item of the list
    /// (`preds[1:]`), a name set once to one, or `[TABLE[k] for k in keys]` over a table of functions (see
    /// `registryDictionary`) with keys the configuration decides (`decidedStringItems`): the entries those keys select,
    /// each key having one. Nil otherwise.
    func heldPredicates(_ list: Node, _ flow: Dataflow, depth: Int) -> [Node]? {
        guard depth < 6 else { return nil }
        let l = unwrapped(list)
        switch l.type {
        case "list", "tuple":
            let items = l.namedChildren.filter { $0.type != "comment" }
            return items.isEmpty || items.contains(where: { $0.type == "list_splat" }) ? nil : items
        case "subscript":
            return l.child(byField: "value").flatMap { heldPredicates($0, flow, depth: depth + 1) }
        case "identifier":
            let bindings = flow.bindings(of: l.text, at: l)
            guard bindings.count == 1, bindings[0].kind == .value else { return nil }
            return heldPredicates(bindings[0].node, flow, depth: depth + 1)
        case "list_comprehension", "generator_expression":
            let clauses = l.namedChildren.filter { $0.type == "for_in_clause" }
            guard clauses.count == 1, !l.namedChildren.contains(where: { $0.type == "if_clause" }),
                  let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                  let source = clauses[0].child(byField: "right"),
                  let body = l.child(byField: "body").map(unwrapped), body.type == "subscript",
                  body.child(byField: "subscript").map(unwrapped)?.text == variable.text,
                  let table = body.child(byField: "value"), let dictionary = registryDictionary(table),
                  let keys = decidedStringItems(source, flow, depth: depth + 1), !keys.isEmpty else { return nil }
            let pairs = registryPairs(dictionary)
            var chosen: [Node] = []
            for key in keys {
                guard let entry = pairs.first(where: { $0.key == key }) else { return nil }
                chosen.append(entry.value)
            }
            return chosen
        default:
            return nil
        }
    }

    /// The strings of a list of keys the configuration decides: `s.split(sep)` (or `s.split()`) of a string every run
    /// holds (`kind.split("+")` with `kind` what every call of its function passes, see `decidedString`), an item-wise
    /// `[p.strip() for p in ...]` (also `.lower()`, `.upper()`, or the item itself) over one, a name set once to one, or a
    /// list of strings that folds (`foldedStringList`). Nil otherwise.
    func decidedStringItems(_ node: Node, _ flow: Dataflow, depth: Int) -> [String]? {
        guard depth < 8 else { return nil }
        let n = unwrapped(node)
        switch n.type {
        case "call":
            let c = callSite(n)
            guard c.name == "split", let receiver = c.receiver, c.keywords.isEmpty, c.positional.count <= 1,
                  let text = decidedString(receiver) else { return nil }
            if let separator = c.positional.first {
                guard let sep = SettingsTable.stringValue(separator), !sep.isEmpty else { return nil }
                return text.components(separatedBy: sep)
            }
            return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        case "list_comprehension", "generator_expression":
            let clauses = n.namedChildren.filter { $0.type == "for_in_clause" }
            guard clauses.count == 1, !n.namedChildren.contains(where: { $0.type == "if_clause" }),
                  let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                  let source = clauses[0].child(byField: "right"), let body = n.child(byField: "body").map(unwrapped),
                  let items = decidedStringItems(source, flow, depth: depth + 1) else { return nil }
            if body.type == "identifier", body.text == variable.text { return items }
            guard body.type == "call", case let c = callSite(body), c.positional.isEmpty, c.keywords.isEmpty,
                  c.receiver.map(unwrapped)?.text == variable.text else { return nil }
            switch c.name {
            case "strip": return items.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            case "lower": return items.map { $0.lowercased() }
            case "upper": return items.map { $0.uppercased() }
            default: return nil
            }
        case "identifier":
            let bindings = flow.bindings(of: n.text, at: n)
            if bindings.count == 1, bindings[0].kind == .value, let items = decidedStringItems(bindings[0].node, flow, depth: depth + 1) {
                return items
            }
            return foldedStringList(n, depth: 0)
        default:
            return foldedStringList(n, depth: 0)
        }
    }

    /// `operator.and_` and its kin, or a lambda of two parameters returning their `&`: a reduction by it is a conjunction.
    func isConjunction(_ node: Node, _ flow: Dataflow) -> Bool {
        let n = unwrapped(node)
        if let name = fullImports.qualifiedName(of: n),
           ["operator.and_", "operator.iand", "torch.logical_and", "torch.bitwise_and"].contains(name) { return true }
        guard n.type == "lambda", let body = n.child(byField: "body").map(unwrapped), body.type == "binary_operator",
              body.child(byField: "operator")?.type == "&" else { return false }
        let names = flow.parameters(of: n)
        return names.count == 2 && Set([body.child(byField: "left"), body.child(byField: "right")].compactMap { $0.map(unwrapped)?.text }) == Set(names)
    }

    /// Whether calling an object of a class of the file conjoins the mask functions it is built with, as `and_masks`
    /// does: its `__init__` (own or inherited) takes them as `*terms`, and its `__call__` returns `reduce(operator.and_,
    /// (t(b, h, q_idx, kv_idx) for t in self.terms))` (a conjunction by `isConjunction`, over one field of the object,
    /// unfiltered), so the positional arguments of a construction are its terms. A disjunction (`operator.or_`) or a
    /// `__call__` with a term of its own is not.
    func conjoinsTerms(_ owner: Class, _ flow: Dataflow) -> Bool {
        guard let call = method("__call__", of: owner), let receiver = call.receiver, let constructor = initializer(of: owner),
              constructor.node.child(byField: "parameters")?.namedChildren.contains(where: { $0.type == "list_splat_pattern" }) == true
        else { return false }
        let results = flow.returns(of: call.node).map(unwrapped)
        return !results.isEmpty && results.allSatisfy { result in
            guard result.type == "call", case let c = callSite(result), c.callee == "functools.reduce" || c.callee == "reduce",
                  c.positional.count >= 2, isConjunction(c.positional[0], flow) else { return false }
            let items = unwrapped(c.positional[1])
            let clauses = items.namedChildren.filter { $0.type == "for_in_clause" }
            guard ["list_comprehension", "generator_expression"].contains(items.type), clauses.count == 1,
                  !items.namedChildren.contains(where: { $0.type == "if_clause" }),
                  let body = items.child(byField: "body").map(unwrapped), body.type == "call",
                  let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
                  let source = clauses[0].child(byField: "right").map(unwrapped), source.type == "attribute",
                  source.child(byField: "object")?.text == receiver else { return false }
            return callSite(body).function.map({ unwrapped($0).text }) == variable.text
        }
    }

    /// Whether a method hands back a function that calls the method's own object with that function's parameters, in
    /// order (`def as_mask_mod(self): term = self; def mask_mod(b, h, q_idx, kv_idx): return term(b, h, q_idx,
    /// kv_idx); return mask_mod`, or a lambda): calling its result runs the object itself.
    func callsOwnObject(_ method: Function, _ flow: Dataflow) -> Bool {
        guard let receiver = method.receiver else { return false }
        // The object, and the names the method sets to it (`term = self`).
        var aliases: Set<String> = [receiver]
        for n in descendants(of: method.node) where n.type == "assignment" {
            guard let left = n.child(byField: "left"), left.type == "identifier",
                  let right = n.child(byField: "right"), unwrapped(right).text == receiver else { continue }
            aliases.insert(left.text)
        }
        let returned = flow.returns(of: method.node).map(unwrapped)
        return !returned.isEmpty && returned.allSatisfy { r in
            var handed: (parameters: [String], results: [Node])?
            if r.type == "lambda", let body = r.child(byField: "body") {
                handed = (parameters: flow.parameters(of: r), results: [body])
            } else if r.type == "identifier",
                      let definition = flow.bindings(of: r.text, at: r).first(where: { $0.kind == .value && $0.node.type == "function_definition" })?.node {
                handed = (parameters: flow.parameters(of: definition), results: flow.returns(of: definition))
            }
            guard let inner = handed, !inner.parameters.isEmpty, !inner.results.isEmpty else { return false }
            return inner.results.map(unwrapped).allSatisfy { e in
                guard e.type == "call", case let c = callSite(e), let f = c.function.map(unwrapped), f.type == "identifier",
                      aliases.contains(f.text), c.keywords.isEmpty else { return false }
                return c.positional.map { unwrapped($0).text } == inner.parameters
            }
        }
    }

    /// Whether the file builds a BlockMask (create_block_mask or from_kv_blocks, or `BlockMask(...)`).
    public var buildsBlockMask: Bool {
        memoized("buildsBlockMask") {
            !createBlockMaskCalls.isEmpty || !fromKVBlocksCalls.isEmpty
                || calls.contains { call in call.name == "BlockMask" && call.function.flatMap { fullImports.qualifiedName(of: $0) } == "torch.nn.attention.flex_attention.BlockMask" }
        }
    }
}

// MARK: Expressions a mask is made of

extension Dataflow {
    /// The nodes an expression is built from: its own subtree and, for every local name in it, the values
    /// assigned to that name (transitively, in the scopes the name is read from), the values the class assigns
    /// to an attribute of `self` it reads, the arguments calls of the file pass for a parameter of an enclosing
    /// function it captures, plus the results of local helper functions it calls.
    /// `followingOwnParameters`: also follow a parameter of the function a name is used in to what its callers pass
    /// (document ids handed down through the blocks to a hand-written attention function); a mask function's own
    /// positions are not followed otherwise. A table of lambdas read with keys the configuration decides
    /// (`TERMS[name](env)` for `name` in a configured list, see `PythonFacts.selectedTableEntries`) gives only the
    /// entries selected; the parameters of a lambda held in a table are what the calls through the table pass.
    public func closure(of roots: [Node], limit: Int = 400, followingOwnParameters: Bool = false) -> [Node] {
        var seen = Set<Node>()
        var result: [Node] = []
        var stack = roots
        while let node = stack.popLast(), result.count < limit {
            guard seen.insert(node).inserted else { continue }
            for d in facts.descendants(node) {
                result.append(d)
                switch d.type {
                case "identifier":
                    guard d.parent?.type != "keyword_argument" || d.parent?.child(byField: "value") == d else { continue }
                    // A table of lambdas read with configured keys: only the entries selected, not every term it holds.
                    if let read = d.parent, read.type == "subscript", read.child(byField: "value") == d,
                       let chosen = facts.selectedTableEntries(read), chosen.contains(where: { facts.unwrapped($0).type == "lambda" }) {
                        stack.append(contentsOf: chosen)
                        continue
                    }
                    for binding in bindings(of: d.text, at: d) {
                        if case .element(let index) = binding.kind, let parts = returnedElement(binding.node, index) {
                            // a, b = helper(...): only what the helper returns in that position (and the arguments).
                            stack.append(contentsOf: parts)
                            continue
                        }
                        switch binding.kind {
                        case .value, .element, .augmented, .iteration:
                            if binding.node.type == "function_definition" || binding.node.type == "class_definition" { continue }
                            stack.append(binding.node)
                        case .parameter(let index):
                            // A parameter captured by a function nested in its own (a mask factory's document
                            // ids): the arguments the file's calls of the outer function pass. A function's own
                            // parameters (a mask function's positions) are not followed.
                            // Its own parameters bound by `partial(rule, docs)` are followed to what the partial binds.
                            let own = facts.enclosingFunction(d)?.node == binding.node && !followingOwnParameters
                            let sites = own
                                ? binding.node.child(byField: "name").map { facts.partialCallSites(of: $0.text).filter { $0.offset == -1 } } ?? []
                                : callSites(of: binding.node)
                            for site in sites {
                                if let argument = argument(site, name: d.text, index: index) { stack.append(argument) }
                            }
                        }
                    }
                case "call":
                    // A local helper or a method of the class (`self.doc_ids(idx)`): what it returns.
                    guard let function = d.child(byField: "function") else { continue }
                    if function.type == "identifier" {
                        for binding in bindings(of: function.text, at: function) where binding.node.type == "function_definition" {
                            stack.append(contentsOf: returns(of: binding.node))
                        }
                    } else if function.type == "attribute", function.child(byField: "object")?.text == "self",
                              let name = function.child(byField: "attribute")?.text, let owner = facts.enclosingClass(d) {
                        // The class's own or inherited method, or a subclass's override of a hook (a template method).
                        for method in facts.selfCallTargets(name, in: owner) {
                            stack.append(contentsOf: returns(of: method.node))
                        }
                    }
                case "attribute":
                    // A field of a record object handed in (`pack.starts`, `pack: Packing`): what the constructions of
                    // its classes put there (see `PythonFacts.constructedFieldValues`).
                    if d.child(byField: "object")?.text != "self" {
                        stack.append(contentsOf: facts.constructedFieldValues(d))
                        continue
                    }
                    // An attribute of the object (`self.doc_of`): what the class's methods assign to it, or what the
                    // getter of a property of it returns (`@cached_property def doc_ids(self): return (self.tokens ==
                    // EOT).cumsum(0)`, see `PythonFacts.instanceMethodResult`).
                    guard d.child(byField: "object")?.text == "self", let name = d.child(byField: "attribute")?.text,
                          let owner = facts.enclosingClass(d) else { continue }
                    if let value = facts.instanceMethodResult(d) { stack.append(value) }
                    for setting in facts.allSettings.settings(name)
                    where setting.written == "self.\(name)" && facts.enclosingClass(setting.site)?.node == owner.node {
                        stack.append(setting.value)
                    }
                default:
                    continue
                }
            }
        }
        return result
    }

    /// For `a, b = helper(x)` with a local helper that returns tuples: element `index` of each returned tuple,
    /// plus the call's arguments; nil when the value is not such a call.
    func returnedElement(_ value: Node, _ index: Int) -> [Node]? {
        let call = facts.unwrapped(value)
        guard call.type == "call", let function = call.child(byField: "function"), function.type == "identifier" else { return nil }
        let helpers = bindings(of: function.text, at: function).filter { $0.node.type == "function_definition" }.map(\.node)
        let results = helpers.flatMap { returns(of: $0) }.map { facts.unwrapped($0) }
        guard !helpers.isEmpty, !results.isEmpty,
              results.allSatisfy({ ($0.type == "tuple" || $0.type == "expression_list") && $0.namedChildCount > index
                  && !$0.namedChildren.contains { $0.type == "list_splat" } }) else { return nil }
        return results.map { $0.namedChildren[index] } + (call.child(byField: "arguments")?.namedChildren ?? [])
    }

    /// The returned expressions of a function (not of functions nested in it); a lambda's is its body.
    public func returns(of function: Node) -> [Node] {
        if function.type == "lambda" { return function.child(byField: "body").map { [$0] } ?? [] }
        return facts.descendants(function).filter { $0.type == "return_statement" && scopeChain(of: $0).first == function }
            .compactMap { $0.namedChildren.first }
    }

    /// Calls of a function defined in the file, with the offset between call positions and parameter
    /// indices (1 for methods, whose `self` is not passed). `forward` methods are matched through instances of
    /// their class, or of a subclass that inherits it without overriding it (`self.blocks[i](x, masks)` with the
    /// blocks `LongBlock`/`ShortBlock` objects running `Block.forward`); `__init__` through calls of the class.
    public func callSites(of function: Node) -> [(call: CallSite, offset: Int)] {
        if let known = callSiteCache[function] { return known }
        // A question that comes back while it is being answered (a module's `forward` whose callers are found
        // through the parameter it is passed in) has no further answer on that path.
        guard callSitesInProgress.insert(function).inserted else {
            cyclesCut += 1
            return []
        }
        defer { callSitesInProgress.remove(function) }
        let cutBefore = cyclesCut
        let sites = computeCallSites(of: function)
        // An answer that met a question still open may be partial: it is not kept.
        if cyclesCut == cutBefore { callSiteCache[function] = sites }
        return sites
    }

    private func computeCallSites(of function: Node) -> [(call: CallSite, offset: Int)] {
        // A lambda held in a table of functions (`TERMS = {"doc": lambda env: ...}`) runs where the table is called by
        // key (`TERMS[name](env)`, see `PythonFacts.tableCalls`), where the name or field it is set to is called
        // (`namedCalls`), and where it is mapped over sequences (`map(lambda t: t(idx), self.tables)`).
        if function.type == "lambda" {
            return facts.tableCalls(ofEntry: function).map { (call: $0, offset: 0) } + namedCalls(ofLambda: function)
                + facts.mappedCallSites { $0 == function }
        }
        guard function.type == "function_definition", var name = function.child(byField: "name")?.text else { return [] }
        var owner = facts.enclosingClass(function).flatMap { c -> PythonFacts.Class? in
            // Only a direct method (not a function nested in a method).
            scopeChain(of: function).first == c.node ? c : nil
        }
        // A module-level function bound to a class afterwards (`Block.forward = block_forward`) is that method.
        if owner == nil, let binding = facts.classBinding(of: function) { (owner, name) = (binding.owner, binding.name) }
        // A method patched onto a library class (`GPT2Attention._attn = _patched_attn`): its calls through instances
        // (`self._attn(q, k, v)`), which pass the instance first. A patched `forward` runs where the library's modules
        // are called, which the file does not name.
        if owner == nil, let patched = facts.libraryMethodBinding(of: function), !facts.forwardMethodNames.contains(patched) {
            return facts.calls(named: patched).filter { $0.receiver != nil }.map { ($0, 1) }
        }
        guard let owner else {
            // Also through a table of functions (`{"doc": same_doc}` called as `TERMS[name](env)`).
            let tabled: [(call: CallSite, offset: Int)] = facts.tableCalls(ofEntry: function).map { (call: $0, offset: 0) }
            // And through `map(f, xs)` / `map(partial(f, ...), xs, ys)`, which pass the sequences' items.
            let mapped = facts.mappedCallSites { $0.type == "identifier" && $0.text == name }
            // A closure its factory hands back (`n_enc, n_dec, run = make_unet_stack(n)`, kept as `self.unet_pass`): the
            // calls through the names and fields it is bound to (see `PythonFacts.targets(of:)`).
            var handedBack: [(call: CallSite, offset: Int)] = []
            if let maker = facts.functions.first(where: { $0.node == function }).flatMap(facts.outerFunction(of:)),
               facts.returnedValues(maker).contains(where: { value in
                   let v = facts.unwrapped(value)
                   return ([v] + (["tuple", "expression_list"].contains(v.type) ? v.namedChildren : [])).contains { $0.type == "identifier" && $0.text == name }
               }) {
                handedBack = facts.calls.filter { call in
                    guard call.name != name, let callee = call.function,
                          callee.type == "identifier" || callee.type == "attribute" && callee.child(byField: "object")?.text == "self" else { return false }
                    return facts.targets(of: call).contains { $0.node == function }
                }.map { ($0, 0) }
            }
            return facts.calls(withCallee: name).map { ($0, 0) } + facts.partialCallSites(of: name) + tabled + mapped + handedBack
        }
        // Also `cls(...)` in a class method (`CastedLinear.fp8(...)` returning `cls(d, v, matmul=...)`).
        if name == "__init__" {
            return facts.calls.filter { call in
                call.callee == owner.name || call.callee == "cls" && facts.enclosingClass(call.node)?.node == owner.node
            }.map { ($0, 1) }
        }
        if facts.forwardMethodNames.contains(name) {
            return facts.calls.filter { call in
                guard let callee = call.function else { return false }
                // An instance of a subclass runs it when that method is what the subclass resolves the name to.
                return instanceClasses(of: callee).contains { c in
                    c == owner.name || facts.boundClass(named: c).flatMap { facts.method(name, of: $0) }?.node == function
                }
            }.map { ($0, 1) }
        }
        // A static method is passed every parameter, also through an instance (`self._polar(m)`).
        let offset = facts.functions.first { $0.node == function }?.passedOffset ?? 1
        // A call on `self` or on `super()` that runs another method of that name (the base's hook where the class built
        // does not mix this override in; the base's own hook an override calls) is not a call of this one.
        return facts.calls(named: name).filter { call in
            guard let receiver = call.receiver.map(facts.unwrapped) else { return false }
            let onSuper = receiver.type == "call" && facts.callSite(receiver).callee == "super"
            guard call.callee == "self." + name || onSuper, let runs = facts.calledFunction(call) else { return true }
            return runs.node == function
        }.map { ($0, offset) }
    }

    /// Calls of the name or field a lambda is set to (`mix = lambda v, ve: ...` then `mix(v, ve)`; `self.mix = lambda
    /// v, ve: ...` in `__init__` then `self.mix(v, ve)` in `forward`) whose callee is bound to that lambda, offset 0 (a
    /// lambda set on an instance is not passed the instance), also a lambda given as the fallback of the value
    /// (`reduce_fn = reduce_fn or (lambda t: dist.all_reduce(t))`). A lambda set in a class body is a method: left out.
    func namedCalls(ofLambda lambda: Node) -> [(call: CallSite, offset: Int)] {
        // The lambda may be a fallback in the value (`fn = fn or (lambda t: ...)`, `fn = (lambda t: ...) if fn is None
        // else fn`): the name holds it on that path.
        var held = lambda
        while let parent = held.parent, ["parenthesized_expression", "boolean_operator", "conditional_expression"].contains(parent.type) {
            if parent.type == "conditional_expression", facts.conditionalParts(parent)?.test == held { break }
            held = parent
        }
        guard let assignment = held.parent, assignment.type == "assignment", assignment.child(byField: "right") == held,
              let target = assignment.child(byField: "left"), ["identifier", "attribute"].contains(target.type),
              let name = target.type == "identifier" ? Optional(target.text) : target.child(byField: "attribute")?.text,
              assignment.parent?.parent?.parent?.type != "class_definition" else { return [] }
        return facts.calls(named: name).filter { call in
            guard let callee = call.function.map(facts.unwrapped), callee.type == target.type else { return false }
            return bindings(ofReference: callee).contains { $0.kind == .value && [lambda, held].contains(facts.unwrapped($0.node)) }
        }.map { (call: $0, offset: 0) }
    }

    /// Classes of the file an expression may be an instance of (or a container of instances of): `C(...)`,
    /// `nn.ModuleList([C(...) for ...])`, `self.block_cls(...)` with a class attribute or field naming `C`, an element
    /// or iteration of those, a name or attribute set to them, what a
    /// function of the file returns, what a property of the object returns (`self.mask`), what the method of an
    /// operator a class of the file overloads returns (`Causal() & SameDocument(ids)` running `MaskTerm.__and__`,
    /// which returns `AllOf(self, other)`; its own object, `return self`, is the operand's).
    public func instanceClasses(of expression: Node, depth: Int = 0) -> Set<String> {
        let node = facts.unwrapped(expression)
        // The depth counts steps to other code (a name to where it is bound, a call to what its function returns,
        // a parameter to its callers' arguments), which can come back round; steps into a part of the expression
        // (an element, a slice, a wrapper's argument) always end and are free.
        guard depth < 6 else { return [] }
        // The answer depends on the node and on the steps left: kept per both (the top question is the node at one
        // step), since a name bound in many places is reached again from each of them. An answer that a question
        // still open cut short is not kept.
        let key = NodeAtDepth(node: node, depth: max(depth, 1))
        if let known = instanceClassesAtDepth[key] { return known }
        if depth == 0 {
            guard instanceClassesInProgress.insert(node).inserted else {
                cyclesCut += 1
                return []
            }
            defer { instanceClassesInProgress.remove(node) }
            return instanceClasses(of: node, depth: 1)
        }
        let cutBefore = cyclesCut
        let classes = computeInstanceClasses(node, depth: depth)
        if cyclesCut == cutBefore { instanceClassesAtDepth[key] = classes }
        return classes
    }

    private func computeInstanceClasses(_ node: Node, depth: Int) -> Set<String> {
        let classNames = facts.classNameSet
        switch node.type {
        case "call":
            let call = facts.callSite(node)
            if classNames.contains(call.callee) { return [call.callee] }
            // `cls(...)` in a class method builds its class.
            if let built = facts.classBuiltByCls(node) { return [built.name] }
            if ["ModuleList", "Sequential", "ModuleDict", "list", "tuple"].contains(call.name) {
                return facts.callArguments(call).reduce(into: Set<String>()) { $0.formUnion(instanceClasses(of: $1, depth: depth)) }
            }
            // Wrappers that return the same module: model.cuda(), torch.compile(model), DDP(model, ...).
            if let receiver = call.receiver, ["cuda", "to", "bfloat16", "half", "float", "train", "eval", "requires_grad_"].contains(call.name) {
                return instanceClasses(of: receiver, depth: depth)
            }
            if ["compile", "DistributedDataParallel", "DDP", "DataParallel", "FullyShardedDataParallel", "FSDP"].contains(call.name),
               let wrapped = call.positional.first {
                return instanceClasses(of: wrapped, depth: depth)
            }
            // An entry of a table of classes called (`cls._registry[name](**kwargs)`, `BACKENDS[key]()`): the classes
            // the table holds (see `classTableEntries`).
            if let function = call.function.map(facts.unwrapped), function.type == "subscript", let table = function.child(byField: "value") {
                return classTableEntries(table, key: function.child(byField: "subscript"))
            }
            // A class handed over by name and built here (`self.ownership = ownership_cls(rank, world)`, with
            // `ownership_cls=RoundRobin` the parameter's default or what the callers pass).
            if let function = call.function.map(facts.unwrapped), function.type == "identifier" {
                let held = heldClasses(function, depth: 0)
                if !held.isEmpty { return held }
            }
            // A class held by a field or a class attribute and built here (`self.value_tables =
            // self.value_table_cls(...)` with `value_table_cls = SplitValueTables` in the class body, or a field set to a
            // class): the classes every origin of the field names (see `PythonFacts.origins`).
            if let function = call.function.map(facts.unwrapped), function.type == "attribute" {
                let held = facts.origins(of: function)
                if !held.isEmpty, held.allSatisfy({ $0.type == "identifier" && classNames.contains($0.text) }) { return Set(held.map(\.text)) }
            }
            // A method called on a class of the file (`Factory.create("ns")`, `cls.create(key)`: a class or static
            // method that builds an instance), own or inherited: the classes of what it returns.
            if let receiver = call.receiver.map(facts.unwrapped), receiver.type == "identifier",
               let owner = receiver.text == "cls" ? facts.enclosingClass(node) : facts.boundClass(named: receiver.text),
               let method = facts.method(call.name, of: owner) {
                let each = returns(of: method.node).map { instanceClasses(of: $0, depth: depth + 1) }
                return each.contains(where: \.isEmpty) ? [] : each.reduce(into: Set<String>()) { $0.formUnion($1) }
            }
            // A function of the file that builds and returns one: `build_model(cfg)`, `model.configure_optimizers(...)`
            // (a method by its name when only one class of the file defines it).
            let targets = facts.calledFunction(call).map { [$0] }
                ?? (call.receiver == nil ? [] : facts.function(named: call.name).filter { facts.enclosingClass($0.node) != nil })
            if targets.count == 1, let function = targets.first {
                // Every value it returns must be one (a factory that may return a library optimizer is unknown).
                let each = returns(of: function.node).map { instanceClasses(of: $0, depth: depth + 1) }
                return each.contains(where: \.isEmpty) ? [] : each.reduce(into: Set<String>()) { $0.formUnion($1) }
            }
            // A module of the file called (`vi = self.value_embeds(idx)`): what its `forward` (or `__call__`) returns,
            // when every value each returns is an instance of a class of the file (`return MirrorBank(...)`).
            if let callee = call.function, targets.isEmpty {
                var result = Set<String>()
                for name in instanceClasses(of: callee, depth: depth + 1) {
                    guard let module = facts.boundClass(named: name) else { return [] }
                    let entries = facts.forwardMethods(of: module)
                    guard !entries.isEmpty else { return [] }
                    for entry in entries {
                        let each = returns(of: entry.node).map { instanceClasses(of: $0, depth: depth + 1) }
                        guard !each.isEmpty, !each.contains(where: \.isEmpty) else { return [] }
                        each.forEach { result.formUnion($0) }
                    }
                }
                return result
            }
            return []
        case "conditional_expression":
            guard let parts = facts.conditionalParts(node) else { return [] }
            return instanceClasses(of: parts.value, depth: depth).union(instanceClasses(of: parts.alternative, depth: depth))
        case "binary_operator":
            // An operator a class of the file overloads (see `PythonFacts.operatorMethods`): what its method returns.
            var result = Set<String>()
            for (method, operand, _) in facts.operatorMethods(node) {
                for returned in returns(of: method.node).map(facts.unwrapped) {
                    let ownObject = returned.type == "identifier" && returned.text == method.receiver
                    result.formUnion(instanceClasses(of: ownObject ? operand : returned, depth: depth + 1))
                }
            }
            return result
        case "boolean_operator":
            // `matmul or Policy.dense()`: what is passed, or the fallback.
            return [node.child(byField: "left"), node.child(byField: "right")].compactMap { $0 }
                .reduce(into: Set<String>()) { $0.formUnion(instanceClasses(of: $1, depth: depth)) }
        case "list", "tuple", "list_comprehension", "generator_expression", "dictionary", "dictionary_comprehension", "pair":
            let parts = node.namedChildren.filter { $0.type != "for_in_clause" && $0.type != "if_clause" }
            return parts.reduce(into: Set<String>()) { $0.formUnion(instanceClasses(of: $1, depth: depth)) }
        case "list_splat", "subscript":
            guard let inner = node.namedChildren.first else { return [] }
            return instanceClasses(of: inner, depth: depth)
        case "identifier", "attribute":
            var result = Set<String>()
            // A property of the object (`self.mask`): what its getter returns (see `PythonFacts.instanceMethodResult`).
            if node.type == "attribute", let value = facts.instanceMethodResult(node) {
                result.formUnion(instanceClasses(of: value, depth: depth + 1))
            }
            // Also dict(h=nn.ModuleList(...)), Config(h=...) and modules["h"] = ... entries.
            let found = bindings(ofReference: node) + entryBindings(of: node)
            // `model.module` (DDP, DataParallel) and `model._orig_mod` (torch.compile) unwrap a wrapper, which stands
            // for the module it wraps (see the wrappers above): `raw_model = model.module._orig_mod`. Only when the
            // file sets no attribute of that name itself.
            if found.isEmpty, node.type == "attribute", ["module", "_orig_mod"].contains(node.child(byField: "attribute")?.text ?? ""),
               let object = node.child(byField: "object") {
                return instanceClasses(of: object, depth: depth)
            }
            for binding in found {
                switch binding.kind {
                case .element(let index):
                    // `opts, muon = build(model)`: the part of the tuple (returned, or held by a name) the name takes,
                    // when its length is the targets'; the whole value otherwise.
                    if let items = facts.listItems(binding.node), index < items.count,
                       binding.site.child(byField: "left")?.namedChildren.count == items.count {
                        result.formUnion(instanceClasses(of: items[index], depth: depth + 1))
                    } else {
                        result.formUnion(instanceClasses(of: binding.node, depth: depth + 1))
                    }
                case .value, .iteration:
                    result.formUnion(instanceClasses(of: iterationSource(binding), depth: depth + 1))
                    // A container made empty and filled afterwards (`self.layers = nn.ModuleDict()`, then
                    // `self.layers[str(i)] = Block(...)` in a loop; see `PythonFacts.filledContainerItems`): what is put in.
                    if binding.kind == .value, let items = facts.filledContainerItems(madeEmptyBy: binding.node) {
                        for item in items { result.formUnion(instanceClasses(of: item, depth: depth + 1)) }
                    }
                case .parameter(let index):
                    // def train(model, ...): the modules its callers pass (`train(GPT(cfg).cuda(), ...)`).
                    guard node.type == "identifier" else { continue }
                    for site in callSites(of: binding.node).prefix(8) {
                        if let argument = argument(site, name: node.text, index: index) {
                            result.formUnion(instanceClasses(of: argument, depth: depth + 1))
                        }
                    }
                default:
                    continue
                }
            }
            // Nothing the flow reaches: what the annotations declare (`ctx: Ctx`, a field `rope: Rotary` of `Ctx`).
            if result.isEmpty { result = declaredClasses(of: node, bindings: found, depth: depth) }
            return result
        default:
            return []
        }
    }

    /// The classes of the file a name holding a class stands for: a class name, a name set to one, a loop variable
    /// over a table or list of classes (`{n: cls(d) for n, cls in SUBLAYERS.items()}`, see `iteratedEntries`), or a
    /// parameter given one by its callers or, at a call that does not pass it, by its default
    /// (`exchange_cls=AllReduceExchange`); a class with arguments bound ahead (`partial(RmsNorm, eps=1e-6)`) holds that
    /// class.
    func heldClasses(_ reference: Node, depth: Int) -> Set<String> {
        var node = facts.unwrapped(reference)
        while node.type == "call", case let call = facts.callSite(node), PythonFacts.partialWrappers.contains(call.callee),
              let wrapped = call.positional.first {
            node = facts.unwrapped(wrapped)
        }
        guard node.type == "identifier" else { return [] }
        if facts.classNameSet.contains(node.text) { return [node.text] }
        // A parameter handed down a chain of constructors (`GPT(norm_layer=...)` to `Block` to `Attention`).
        guard depth < 4 else { return [] }
        var result = Set<String>()
        for binding in bindings(of: node.text, at: node) {
            switch binding.kind {
            case .value:
                result.formUnion(heldClasses(binding.node, depth: depth + 1))
            case .iteration(let index):
                for entry in iteratedEntries(binding.node, index: index) { result.formUnion(heldClasses(entry, depth: depth + 1)) }
            case .parameter(let index):
                guard binding.node.type == "function_definition" else { continue }
                let fallback = facts.parameterDefault(in: binding.node, node.text)
                let sites = callSites(of: binding.node)
                for site in sites.prefix(8) {
                    if let passed = argument(site, name: node.text, index: index) {
                        result.formUnion(heldClasses(passed, depth: depth + 1))
                    } else if site.call.hasSplat, case let .known(values, absent) = facts.forwardedKeyword(node.text, through: site.call) {
                        // Passed in a `**` spread (`Net(**cfg)`, `cfg` merged from the builder's `**kwargs`): what it carries.
                        for value in values { result.formUnion(heldClasses(value.value, depth: depth + 1)) }
                        if absent || values.isEmpty, let fallback { result.formUnion(heldClasses(fallback, depth: depth + 1)) }
                    } else if let fallback {
                        result.formUnion(heldClasses(fallback, depth: depth + 1))
                    }
                }
                if sites.isEmpty, let fallback { result.formUnion(heldClasses(fallback, depth: depth + 1)) }
            default:
                continue
            }
        }
        return result
    }

    /// What a loop variable takes from the literal table or list its loop walks, `index` being its place in the
    /// unpacked target (see `NameBinding.Kind.iteration`): the values of `T.values()` (`index` nil) or of
    /// `T.items()` (`index` 1), `T` a dictionary literal or a name or field set once to one (`tableEntries`); the items
    /// of a list or tuple (`listItems`), or their element `index` (`for _, cls in [("attn", Attention), ("mlp", MLP)]`).
    /// Empty when the walk is not over such a table.
    func iteratedEntries(_ iterable: Node, index: Int?) -> [Node] {
        let walked = facts.unwrapped(iterable)
        if walked.type == "call", case let call = facts.callSite(walked), let receiver = call.receiver, ["values", "items"].contains(call.name) {
            guard (call.name == "values" && index == nil) || (call.name == "items" && index == 1) else { return [] }
            return facts.tableEntries(receiver, depth: 0) ?? []
        }
        guard let items = facts.listItems(walked) else { return [] }
        guard let index else { return items }
        return items.compactMap { item in
            guard let parts = facts.listItems(item), index < parts.count else { return nil }
            return parts[index]
        }
    }

    /// The classes a table of classes holds, for a call of one of its entries: a module table read like the tables of
    /// functions (`tableEntries`); a class attribute read through `cls`, `self` or the class's name (`cls._registry`,
    /// set in the class or a base: `_registry = {"ns": NewtonSchulz}`), its dictionary values that name classes, only
    /// the one under a decided key when there is one (`create("ns")`); an attribute a base class fills in
    /// `__init_subclass__` (`Base.registry[key] = cls`), the file's subclasses of that base (`subclassRegistry`).
    func classTableEntries(_ table: Node, key: Node?) -> Set<String> {
        let classNames = facts.classNameSet
        let table = facts.unwrapped(table)
        // A table the class body does not set (a module dictionary, `self.table = {...}` in `__init__`).
        let written = Set((facts.tableEntries(table, depth: 0) ?? []).map(facts.unwrapped).filter { $0.type == "identifier" }.map(\.text))
            .filter { classNames.contains($0) }
        guard table.type == "attribute", let object = table.child(byField: "object").map(facts.unwrapped), object.type == "identifier",
              let attribute = table.child(byField: "attribute")?.text,
              let owner = ["cls", "self"].contains(object.text) ? facts.enclosingClass(table) : facts.boundClass(named: object.text)
        else { return written }
        let decided = key.flatMap { facts.decidedString($0) }
        for c in facts.lineage(of: owner) {
            guard let value = facts.classAttribute(attribute, of: c).map(facts.unwrapped) else { continue }
            var all = Set<String>(), chosen = Set<String>()
            for pair in value.namedChildren where value.type == "dictionary" && pair.type == "pair" {
                guard let held = pair.child(byField: "value").map(facts.unwrapped), held.type == "identifier", classNames.contains(held.text)
                else { continue }
                all.insert(held.text)
                if let decided, pair.child(byField: "key").flatMap({ SettingsTable.stringValue($0) }) == decided { chosen.insert(held.text) }
            }
            if !all.isEmpty { return chosen.isEmpty ? all : chosen }
            return facts.subclassRegistry(attribute, of: c, key: decided)
        }
        return written
    }

    /// For a loop binding over `zip(a, b)` / `enumerate(a)`, the iterable the bound element comes from.
    public func iterationSource(_ binding: NameBinding) -> Node {
        guard case .iteration(let index) = binding.kind else { return binding.node }
        let iterable = facts.unwrapped(binding.node)
        guard iterable.type == "call" else { return iterable }
        let call = facts.callSite(iterable)
        switch call.callee {
        case "zip":
            if let index, index < call.positional.count { return call.positional[index] }
        case "enumerate":
            if index == 1, let first = call.positional.first { return first }
        default:
            if ["values", "items"].contains(call.name), let receiver = call.receiver { return receiver }
        }
        return iterable
    }
}

// MARK: Query-key distance bounds

extension PythonFacts {
    /// Coefficients of a linear expression over `+`, `-`, parentheses and unary minus: variables by compact text,
    /// everything else lumped as "other" terms. Nil when it is not linear in that sense.
    func linearTerms(_ node: Node) -> [String: Int] {
        let n = unwrapped(node)
        if n.type == "binary_operator", let left = n.child(byField: "left"), let right = n.child(byField: "right"),
           let op = n.child(byField: "operator")?.type, op == "+" || op == "-" {
            var terms = linearTerms(left)
            for (key, value) in linearTerms(right) { terms[key, default: 0] += op == "+" ? value : -value }
            return terms
        }
        if n.type == "unary_operator", n.child(byField: "operator")?.type == "-", let inner = n.child(byField: "argument") {
            return linearTerms(inner).mapValues { -$0 }
        }
        return [compact(n): 1]
    }

    /// The difference a name holds when it is compared (`lag = q_idx - kv_idx` earlier, then `lag >= 0` or `lag < w`):
    /// that subtraction, as the latest assignment before `use` sets it; else `side` itself.
    public func heldDifference(_ side: Node, before use: Node) -> Node {
        let n = unwrapped(side)
        guard n.type == "identifier", let value = latestValue(of: n.text, before: use).map(unwrapped),
              value.type == "binary_operator", value.child(byField: "operator")?.type == "-" else { return side }
        return value
    }

    /// Whether a comparison bounds the distance between a query position and a key position from above
    /// (`q - kv < W`, `kv > q - W`, `q < kv + W`, `q - kv <= W`): the query enters with +1, the key with -1 on
    /// the small side, and some other (window) term is present. `isQuery` / `isKey` say which terms are the
    /// positions; when nil, any two distinct non-constant terms of a subtraction count.
    public func boundsDistance(_ comparison: Node, isQuery: ((String) -> Bool)? = nil, isKey: ((String) -> Bool)? = nil) -> Bool {
        guard comparison.type == "comparison_operator" else { return false }
        let operands = comparison.namedChildren
        let operators = comparison.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2, operators.count == 1 else { return false }
        let op = operators[0]
        var small: Node, big: Node
        switch op {
        case "<", "<=": (small, big) = (operands[0], operands[1])
        case ">", ">=": (small, big) = (operands[1], operands[0])
        default: return false
        }
        // `dist = i[:, None] - j[None, :]` earlier, then `dist < w`: the difference the name holds.
        small = heldDifference(small, before: comparison)
        big = heldDifference(big, before: comparison)
        // |q - kv| < W
        let smallNode = unwrapped(small)
        if smallNode.type == "call", ["abs", "torch.abs"].contains(callSite(smallNode).callee),
           let inner = callSite(smallNode).positional.first {
            let terms = linearTerms(inner).filter { $0.value != 0 }
            if let isQuery, let isKey {
                return terms.count == 2 && terms.keys.contains(where: isQuery) && terms.keys.contains(where: isKey)
            }
            return terms.count == 2 && terms.values.contains(1) && terms.values.contains(-1)
        }
        var terms = linearTerms(small)
        for (key, value) in linearTerms(big) { terms[key, default: 0] -= value }
        terms = terms.filter { $0.value != 0 }
        if let isQuery, let isKey {
            let q = terms.filter { isQuery($0.key) }, k = terms.filter { isKey($0.key) }
            guard q.count == 1, k.count == 1, q.first?.value == 1, k.first?.value == -1 else { return false }
            return terms.count > 2
        }
        // Unknown positions: a difference of two non-literal terms bounded by a third term.
        let variable = terms.filter { !$0.key.isEmpty && Double($0.key) == nil }
        let plus = variable.filter { $0.value == 1 }, minus = variable.filter { $0.value == -1 }
        guard plus.count >= 1, minus.count >= 1, terms.count >= 3 else { return false }
        // The small side must itself be a difference (`a - b < W`) or the big side one (`b > a - W`).
        let smallTerms = linearTerms(small).filter { $0.value != 0 }, bigTerms = linearTerms(big).filter { $0.value != 0 }
        return (smallTerms.count >= 2 && smallTerms.values.contains(-1)) || (bigTerms.count >= 2 && bigTerms.values.contains(-1))
    }

    /// Whether a mask function's result bounds the query-key distance (a sliding window at token level).
    public func maskModBoundsDistance(_ mask: MaskMod, _ flow: Dataflow) -> Node? {
        for part in mask.conjuncts {
            guard let q = part.queryIndex, let kv = part.keyIndex else { continue }
            let bound = flow.closure(of: part.results).first { node in
                node.type == "comparison_operator" && boundsDistance(node, isQuery: { $0 == q }, isKey: { $0 == kv })
            }
            if let bound { return bound }
        }
        return nil
    }
}
