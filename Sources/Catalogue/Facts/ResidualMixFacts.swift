import Parsing
import TreeSitterKit

/// Learnable (or constant) mixes of two tensors, as residual-style shortcuts write them: `torch.lerp(a, b, w)`,
/// `a.lerp(b, w)`, `(1 - l) * a + l * b`, `w0 * a + w1 * b`, `a + w * b`, `a + w * (b - a)`, `0.5 * (a + b)`, and
/// the same with tensor methods (`a.mul(w0).add(b.mul(w1))`, `torch.add`, `torch.mul`, `torch.addcmul(a, w, b)`), and
/// weighted sums over a stack of the two (`torch.einsum("k,k...->...", w, torch.stack([a, b]))`).
extension PythonFacts {
    /// Methods that keep a tensor what it is (`v1.view_as(v)` is still `v1`).
    static let tensorWrappers: Set<String> = [
        "view_as", "view", "reshape", "reshape_as", "type_as", "to", "float", "bfloat16", "half", "contiguous",
        "expand_as", "transpose", "permute", "unsqueeze", "squeeze", "detach",
    ]

    /// Functions that only lay a tensor out anew (einops `rearrange(t, "b t h d -> b h t d")`, `torch.transpose(t, 1, 2)`):
    /// their first argument is the tensor they give back.
    static let layoutFunctions: Set<String> = [
        "einops.rearrange", "torch.transpose", "torch.permute", "torch.reshape", "torch.swapaxes", "torch.movedim",
    ]

    /// A tensor expression without its parentheses and shape/dtype wrappers: methods (`v1.view_as(v)`) and layout
    /// functions (`rearrange(v, "b t h d -> b h t d")`).
    func unwrappedTensor(_ node: Node) -> Node {
        var current = unparenthesized(node)
        while current.type == "call", let function = current.child(byField: "function") {
            if function.type == "attribute", Self.tensorWrappers.contains(function.child(byField: "attribute")?.text ?? ""),
               let object = function.child(byField: "object") {
                current = unparenthesized(object)
                continue
            }
            let call = callSite(current)
            guard Self.layoutFunctions.contains(call.callee), let operand = call.positional.first else { break }
            current = unparenthesized(operand)
        }
        return current
    }

    /// The variable a tensor expression reads, through parentheses and shape/dtype wrappers; nil for anything
    /// else (attributes such as `self.lamb`, subscripts such as `lambdas[0]`, arithmetic, constants).
    public func tensorRoot(_ node: Node) -> Node? {
        let current = unwrappedTensor(node)
        return current.type == "identifier" ? current : nil
    }

    /// A dictionary's entry read by a string key through the same wrappers as `tensorRoot` (`heads["v"]`,
    /// `h["v"].view_as(x)`): it stands for a name in a mix (`h["v"] = (1 - l) * h["v"] + l * v1`, compared as written).
    /// Nil for anything else.
    public func entryRoot(_ node: Node) -> Node? {
        let current = unwrappedTensor(node)
        guard current.type == "subscript", current.child(byField: "value")?.type == "identifier",
              current.child(byField: "subscript").flatMap(SettingsTable.stringValue) != nil else { return nil }
        return current
    }

    /// `tensorRoot`, or a field read on an object through the same wrappers (`stash.v1`, `self.x0.view_as(x)`): state a
    /// hook keeps on an object between calls. Nil for anything else.
    public func tensorOrFieldRoot(_ node: Node) -> Node? {
        if let root = tensorRoot(node) { return root }
        let current = unwrappedTensor(node)
        if current.type == "attribute" && isReferenceChain(current) { return current }
        // An entry of a shared dictionary read by a written key (`shared["x0"]`, `self.cache["x0"]`).
        if current.type == "subscript", let table = current.child(byField: "value").map(unwrapped),
           table.type == "identifier" || (table.type == "attribute" && isReferenceChain(table)),
           current.child(byField: "subscript").flatMap(SettingsTable.stringValue) != nil {
            return current
        }
        return nil
    }

    /// The tensors a term of a mix carries: the term itself, or the tensor factor of a product with weights; with
    /// `fields`, also fields read on an object (see `tensorOrFieldRoot`).
    func mixTerm(_ node: Node, fields: Bool = false) -> [Node] {
        let node = unparenthesized(node)
        if let root = fields ? tensorOrFieldRoot(node) : tensorRoot(node) ?? entryRoot(node) { return [root] }
        if node.type == "call" {
            // `a.mul(w)`, `torch.mul(w, a)`: a product written as a call.
            let call = callSite(node)
            guard call.name == "mul", !call.hasSplat else { return [] }
            if let receiver = call.receiver, call.positional.count == 1 {
                return mixTerm(receiver, fields: fields) + mixTerm(call.positional[0], fields: fields)
            }
            if call.callee == "torch.mul", call.positional.count == 2 {
                return mixTerm(call.positional[0], fields: fields) + mixTerm(call.positional[1], fields: fields)
            }
            return []
        }
        guard node.type == "binary_operator", node.child(byField: "operator")?.type == "*",
              let l = node.child(byField: "left"), let r = node.child(byField: "right") else { return [] }
        return mixTerm(l, fields: fields) + mixTerm(r, fields: fields)
    }

    /// A weighted sum over the first axis of a stack of tensors, written as a contraction: `torch.einsum("k,k...->...",
    /// w, torch.stack([a, b]))` (any letters, either operand order), `torch.tensordot(w, torch.stack([a, b]), dims=1)`,
    /// `(w * torch.stack([a, b])).sum(0)` (the weight broadcast over the stacked axis), or the builtin `sum` of products
    /// paired one by one (`sum(map(operator.mul, w, (a, b)))`, see `pairedProducts`). The weight and the stacked
    /// items; the stack may be a local (`pair = torch.stack((a, b))`).
    public func stackedWeightedSum(_ node: Node) -> (weight: Node, items: [Node])? {
        let e = unwrapped(node)
        guard e.type == "call" else { return nil }
        let call = callSite(e)
        switch call.name {
        case "einsum":
            guard call.positional.count == 3, let spec = string(of: call.positional[0]),
                  let (inputs, output) = PythonFacts.einsumSubscripts(spec, named: false), inputs.count == 2 else { return nil }
            for (w, p) in [(0, 1), (1, 0)] {
                let weightAxes = inputs[w], pairAxes = inputs[p]
                guard weightAxes.count == 1, pairAxes.first == weightAxes[0], output == Array(pairAxes.dropFirst()),
                      let (items, axis) = stacked(call.positional[1 + p]), axis == 0 else { continue }
                return (unwrapped(call.positional[1 + w]), items)
            }
            return nil
        case "tensordot":
            // dims=1 contracts the weight vector with the stacked axis (the default, 2, would contract two axes).
            guard call.positional.count >= 2, let dims = call.argument("dims", position: 2), value(of: dims)?.double == 1,
                  let (items, axis) = stacked(call.positional[1]), axis == 0 else { return nil }
            return (unwrapped(call.positional[0]), items)
        case "sum":
            // (`sum(w * t for ...)` passes its generator as the call's argument list.)
            if call.receiver == nil, call.callee == "sum", call.keywords.isEmpty,
               let summed = call.positional.count == 1 ? call.positional[0] : e.child(byField: "arguments").flatMap({ $0.type == "generator_expression" ? $0 : nil }),
               let weighted = pairedProducts(summed) {
                return weighted
            }
            guard let inner = (call.receiver ?? call.positional.first).map(unwrapped), inner.type == "binary_operator",
                  inner.child(byField: "operator")?.type == "*", let a = inner.child(byField: "left").map(unwrapped),
                  let b = inner.child(byField: "right").map(unwrapped) else { return nil }
            // Summed over the stacked axis, as written: `.sum(0)` of a `torch.stack(...)`, `.sum(-1)` of a
            // `torch.stack(..., dim=-1)`.
            guard let summed = call.argument("dim", position: call.receiver != nil ? 0 : 1).flatMap({ value(of: $0)?.double }) else { return nil }
            for (weight, pair) in [(a, b), (b, a)] {
                if let (items, axis) = stacked(pair), Double(axis) == summed { return (weight, items) }
            }
            return nil
        default:
            return nil
        }
    }

    /// The products of weights and tensors paired one by one, as the builtin `sum` adds them: `map(operator.mul, w, (a,
    /// b))` (either operand first) or `wi * t for wi, t in zip(w, (a, b))`. The weight sequence and the tensors, which
    /// must be written as a tuple or list.
    func pairedProducts(_ node: Node) -> (weight: Node, items: [Node])? {
        let e = unwrapped(node)
        func literalItems(_ n: Node) -> [Node]? {
            let u = unwrapped(n)
            guard u.type == "tuple" || u.type == "list" else { return nil }
            let items = u.namedChildren.filter { $0.type != "comment" }
            return items.count >= 2 ? items : nil
        }
        if e.type == "call", e.child(byField: "function").map({ $0.hasText("map") }) == true, imports.bindings["map"] == nil,
           let arguments = e.child(byField: "arguments") {
            let parts = arguments.namedChildren.filter { $0.type != "comment" }
            guard parts.count == 3, imports.qualifiedName(of: parts[0]) == "operator.mul" else { return nil }
            if let items = literalItems(parts[2]) { return (unwrapped(parts[1]), items) }
            if let items = literalItems(parts[1]) { return (unwrapped(parts[2]), items) }
            return nil
        }
        guard e.type == "generator_expression", let body = e.child(byField: "body").map(unwrapped), body.type == "binary_operator",
              body.child(byField: "operator")?.type == "*", let left = body.child(byField: "left").map(unwrapped),
              let right = body.child(byField: "right").map(unwrapped), left.type == "identifier", right.type == "identifier",
              let clause = e.namedChildren.first(where: { $0.type == "for_in_clause" }),
              e.namedChildren.filter({ ["for_in_clause", "if_clause"].contains($0.type) }).count == 1,
              let targets = clause.child(byField: "left"), let zipped = clause.child(byField: "right").map(unwrapped),
              zipped.type == "call", zipped.child(byField: "function").map({ $0.hasText("zip") }) == true,
              let arguments = zipped.child(byField: "arguments") else { return nil }
        let names = targets.namedChildren.filter { $0.type != "comment" }.map(\.text)
        let sources = arguments.namedChildren.filter { $0.type != "comment" }
        guard names.count == 2, sources.count == 2, Set(names) == Set([left.text, right.text]) else { return nil }
        if let items = literalItems(sources[1]) { return (unwrapped(sources[0]), items) }
        if let items = literalItems(sources[0]) { return (unwrapped(sources[1]), items) }
        return nil
    }

    /// The items of `torch.stack([a, b])` / `torch.stack((a, b), dim=k)`, also through a local holding it, with the
    /// axis they are stacked on as written (0 by default, -1 for `dim=-1`); nil for an axis not known.
    func stacked(_ node: Node) -> (items: [Node], axis: Int)? {
        var n = unwrapped(node)
        if n.type == "identifier", let value = dataflow.latestValue(of: n.text, before: n) { n = unwrapped(value) }
        guard n.type == "call", callSite(n).callee == "torch.stack",
              let list = callSite(n).positional.first.map(unwrapped), list.type == "list" || list.type == "tuple" else { return nil }
        var axis = 0
        if let dim = callSite(n).argument("dim", position: 1) {
            guard let d = value(of: dim)?.double, d == d.rounded() else { return nil }
            axis = Int(d)
        }
        return (list.namedChildren, axis)
    }

    /// For an expression mixing `own` with another tensor, that other tensor's variable: `torch.lerp(own, b, w)`,
    /// `own.lerp(b, w)`, a sum of two terms where one carries `own` and the other another variable.
    public func mixPartner(_ expression: Node, own: String) -> Node? { mixPartners(expression, own: own).first }

    /// Every variable that may be `own`'s partner in a mix: in `keep * x + inject * x0` both `inject` and `x0`
    /// (which of a term's names is the weight cannot be told from the syntax), the first as `mixPartner` gives it.
    /// The mix may be computed by a helper of the file, or by a kernel one runs (see `kernelBlendedArguments`).
    public func mixPartners(_ expression: Node, own: String) -> [Node] {
        mixPartners(expression, own: own, throughHelpers: true)
    }

    /// `mixPartners`, where a tensor may also be a field read on an object (`(1 - lam) * v + lam * stash.v1` gives
    /// `lam` and `stash.v1`, see `tensorOrFieldRoot`): what a hook mixes in from the state it keeps between calls.
    /// Helpers of the file are not followed.
    public func fieldMixPartners(_ expression: Node, own: String) -> [Node] {
        mixPartners(expression, own: own, throughHelpers: false, fields: true)
    }

    private func mixPartners(_ expression: Node, own: String, throughHelpers: Bool, fields: Bool = false) -> [Node] {
        let node = unparenthesized(expression)
        func root(_ n: Node) -> Node? { fields ? tensorOrFieldRoot(n) : tensorRoot(n) ?? entryRoot(n) }
        if node.type == "call", let partner = methodSumPartner(callSite(node), own: own, fields: fields) { return [partner] }
        if node.type == "call", throughHelpers {
            let partners = helperMixPartners(callSite(node), own: own, item: nil)
            if !partners.isEmpty { return partners }
            // A weighted sum a kernel computes (`v = blend2(v, v1, w)`, see `kernelBlendedArguments`).
            if let blended = kernelBlendedArguments(callSite(node)) {
                let roots = blended.map(root)
                if roots.contains(where: { $0?.text == own }) { return roots.compactMap { $0 }.filter { $0.text != own } }
            }
        }
        if let (_, items) = stackedWeightedSum(node), items.count == 2 {
            let roots = items.map(root)
            if roots.contains(where: { $0?.text == own }) { return roots.compactMap { $0 }.filter { $0.text != own } }
            return []
        }
        if node.type == "call" {
            let call = callSite(node)
            guard call.name == "lerp" else { return [] }
            let start = call.receiver ?? call.positional.first
            let end = call.receiver != nil ? call.positional.first : call.positional.dropFirst().first
            guard let start, let end, call.positional.count >= (call.receiver != nil ? 2 : 3),
                  root(start)?.text == own, let partner = root(end), partner.text != own else { return [] }
            return [partner]
        }
        // A scaled sum: `0.5 * (own + b)`, `(own + b) / 2`.
        if node.type == "binary_operator", ["*", "/"].contains(node.child(byField: "operator")?.type ?? ""),
           let l = node.child(byField: "left"), let r = node.child(byField: "right") {
            for side in [l, r] where addends(side).count == 2 {
                let partners = mixPartners(side, own: own, throughHelpers: throughHelpers, fields: fields)
                if !partners.isEmpty { return partners }
            }
            return []
        }
        let terms = addends(node)
        guard terms.count >= 2 else { return [] }
        // A sum of more terms (`a * x + b * x0 + c * e`): the terms other than the one holding `own`, when exactly one does.
        if terms.count > 2 {
            let holding = terms.filter { mixTerm($0, fields: fields).contains { $0.text == own } }
            guard holding.count == 1 else { return [] }
            return terms.filter { $0 != holding[0] }.flatMap { mixTerm($0, fields: fields) }.filter { $0.text != own }
        }
        // A lerp written out: `own + w * (b - own)`.
        for (base, step) in [(terms[0], terms[1]), (terms[1], terms[0])] where root(base)?.text == own {
            let s = unparenthesized(step)
            guard s.type == "binary_operator", s.child(byField: "operator")?.type == "*" else { continue }
            for factor in [s.child(byField: "left"), s.child(byField: "right")].compactMap({ $0 }).map(unparenthesized)
            where factor.type == "binary_operator" && factor.child(byField: "operator")?.type == "-" {
                if let a = factor.child(byField: "left").flatMap(root), let b = factor.child(byField: "right").flatMap(root),
                   b.text == own, a.text != own {
                    return [a]
                }
            }
        }
        let a = mixTerm(terms[0], fields: fields).map(\.text), b = mixTerm(terms[1], fields: fields)
        let b2 = mixTerm(terms[1], fields: fields).map(\.text), a2 = mixTerm(terms[0], fields: fields)
        if a.contains(own), !b2.contains(own) { return b.filter { $0.text != own } }
        if b2.contains(own), !a.contains(own) { return a2.filter { $0.text != own } }
        return []
    }

    /// The partner of `own` in a sum written as a call: `a.add(b)`, `torch.add(a, b)` (each side a term as in a
    /// written sum), `torch.addcmul(a, w, b)` (a + w * b); with `fields`, a term may be a field read on an object (see
    /// `mixTerm`).
    func methodSumPartner(_ call: CallSite, own: String, fields: Bool = false) -> Node? {
        guard !call.hasSplat else { return nil }
        let sides: (Node, [Node])
        switch call.name {
        case "add" where call.receiver != nil && call.positional.count == 1:
            sides = (call.receiver!, mixTerm(call.positional[0], fields: fields))
        case "add" where call.callee == "torch.add" && call.positional.count == 2:
            sides = (call.positional[0], mixTerm(call.positional[1], fields: fields))
        case "addcmul" where call.callee == "torch.addcmul" && call.positional.count == 3:
            sides = (call.positional[0], mixTerm(call.positional[2], fields: fields) + mixTerm(call.positional[1], fields: fields))
        default:
            return nil
        }
        let first = mixTerm(sides.0, fields: fields).map(\.text), second = sides.1
        if first.contains(own), !second.contains(where: { $0.text == own }) { return second.first }
        if second.contains(where: { $0.text == own }), !first.contains(own) { return mixTerm(sides.0, fields: fields).first }
        return nil
    }

    /// Assignments `own = mix(own, other)` in a node, once per candidate partner variable (see `mixPartners`: in
    /// `(1 - w) * v + w * v1` with `w` a local both `w` and `v1`, since which name of a term is the weight cannot be
    /// told from the syntax); also a name of a tuple target that a helper hands back mixed (`x, h = mix_and_norm(x,
    /// x0, w)`).
    public func mixAssignments(in scope: Node) -> [(assignment: Node, own: String, partner: Node)] {
        descendants(of: scope).flatMap { n in
            n.type == "assignment" ? mixBindings(n).flatMap { own, partners in partners.map { (n, own, $0) } } : []
        }
    }

    /// The names an assignment gives a mix of themselves with something else, each with its partners (see
    /// `mixPartners`): `own = mix(own, other)`, or an element of a tuple target taking the matching element of what
    /// a helper of the file returns (`x, h = mix_and_norm(x, x0, w)` with `return mixed, norm(mixed)`).
    public func mixBindings(_ assignment: Node) -> [(own: String, partners: [Node])] {
        guard let left = assignment.child(byField: "left").map(unparenthesized), let right = assignment.child(byField: "right") else { return [] }
        if left.type == "identifier" || entryRoot(left) == left {
            // (A dictionary's entry written by a string key, `h["v"] = ...`, is a name here, see `entryRoot`.)
            let partners = mixPartners(right, own: left.text)
            return partners.isEmpty ? [] : [(left.text, partners)]
        }
        let value = unparenthesized(right)
        guard ["pattern_list", "tuple_pattern"].contains(left.type), value.type == "call" else { return [] }
        let call = callSite(value)
        return left.namedChildren.enumerated().compactMap { index, element in
            guard element.type == "identifier" else { return nil }
            let partners = helperMixPartners(call, own: element.text, item: index)
            return partners.isEmpty ? nil : (element.text, partners)
        }
    }

    /// The functions a call may run to compute a mix: what `targets(of:)` finds, else the lambda a local name holds
    /// (`blend = lambda own, shared: torch.lerp(own, shared, self.w)`, see `calledLambdaFunction`).
    func mixHelpers(_ call: CallSite) -> [Function] {
        let found = targets(of: call)
        if !found.isEmpty { return found }
        return calledLambdaFunction(call).map { [$0] } ?? []
    }

    /// A mix computed by a function of the file the call runs (`v = blend(v, v1, w)` with `def blend(a, b, w):
    /// return torch.lerp(a, b, w)`, or a lambda a name holds, see `mixHelpers`; possibly through a local it returns):
    /// the arguments the call passes for the parameters mixed with the one `own` is passed to, also through a local of
    /// the helper set from them (`anchor = v if v1 is None else v1` stands for `v1`). `item`: the element of a
    /// returned tuple that is read; for an element of a tuple target the call does not pass (`v, v1 = self.values(x,
    /// v1)`), the helper's own tensor mixed with what the call passes (see `computedOwn`). One level of helper only.
    func helperMixPartners(_ call: CallSite, own: String, item: Int?) -> [Node] {
        let ownPassed = call.positional.contains(where: { tensorRoot($0)?.text == own }) || call.keywords.values.contains(where: { tensorRoot($0)?.text == own })
        guard !call.hasSplat, ownPassed || item != nil, case let found = mixHelpers(call), found.count == 1, let function = found.first else { return [] }
        let parameters = filledParameters(function, by: call)
        func argument(_ name: String) -> Node? {
            parameters.firstIndex(of: name).flatMap { call.argument(name, position: $0) }
        }
        let ownParameter = parameters.first(where: { argument($0).flatMap(tensorRoot)?.text == own })
        if ownPassed && ownParameter == nil { return [] }
        var partners: [Node] = []
        for returned in returnedValues(function) {
            var value = unparenthesized(returned)
            if let item {
                guard ["expression_list", "tuple"].contains(value.type) else { continue }
                let items = value.namedChildren.filter { $0.type != "comment" }
                guard item < items.count else { continue }
                value = unparenthesized(items[item])
            } else if ["expression_list", "tuple"].contains(value.type) {
                continue
            }
            // A local the function returns: the expression it was last given.
            if value.type == "identifier", !parameters.contains(value.text), let local = latestValue(of: value.text, before: returned) {
                value = local
            }
            guard let ownName = ownParameter ?? computedOwn(in: value, of: function, parameters: parameters, before: returned) else { continue }
            for partner in mixPartners(value, own: ownName, throughHelpers: false) {
                for name in partnerParameters(partner, parameters: parameters, own: ownName, before: returned) {
                    guard let passed = argument(name).flatMap(tensorRoot), passed.text != own,
                          !partners.contains(passed) else { continue }
                    partners.append(passed)
                }
            }
        }
        return partners
    }

    /// The parameters of a helper a tensor it mixes in stands for: the parameter itself, or the parameters other
    /// than `own` a local of the helper was last set from, through a conditional (`anchor = v if v1 is None else
    /// v1.view_as(v)` gives `v1`).
    func partnerParameters(_ partner: Node, parameters: [String], own: String, before use: Node) -> [String] {
        if parameters.contains(partner.text) { return [partner.text] }
        guard let local = latestValue(of: partner.text, before: use).map(unparenthesized) else { return [] }
        let sides = local.type == "conditional_expression" ? conditionalParts(local).map { [$0.value, $0.alternative] } ?? [] : [local]
        return sides.compactMap { tensorRoot($0)?.text }.filter { $0 != own && parameters.contains($0) }
    }

    /// The mixes a helper of the file returns for an assignment that calls it (`v, v1 = self.blend(v, v1)` with
    /// `return torch.lerp(v, anchor, self.w), anchor`): each mixing expression the helper returns (also through a
    /// local it returns), with the helper's name for the tensor passed as `own`, its partners there, the `return`
    /// it stands in, and what the call passes for each of the helper's parameters. When the call does not pass `own`,
    /// the element the target takes may mix a tensor the helper computes itself (`v, v1 = self.values(x, v1)` with
    /// `v = self.c_v(x); ...; return (1 - self.lamb) * v + self.lamb * v1, v1`; see `computedOwn`), and that local is
    /// the `own` given. Empty for any other assignment.
    public func helperMixes(_ assignment: Node, own: String) -> [(expression: Node, own: String, partners: [Node], returned: Node, arguments: [String: Node])] {
        guard let right = assignment.child(byField: "right").map(unparenthesized), right.type == "call" else { return [] }
        let call = callSite(right)
        guard !call.hasSplat, case let found = mixHelpers(call), found.count == 1, let function = found.first else { return [] }
        let parameters = filledParameters(function, by: call)
        var arguments: [String: Node] = [:]
        for (index, name) in parameters.enumerated() { arguments[name] = call.argument(name, position: index) }
        let ownParameter = parameters.first(where: { arguments[$0].flatMap(tensorRoot)?.text == own })
        // The place of `own` in the target (`v` in `v, v1 = ...` is 0), for a tensor the helper computes itself.
        var ownPlace: Int?
        if ownParameter == nil, let left = assignment.child(byField: "left").map(unparenthesized) {
            if left.type == "identifier" {
                ownPlace = left.text == own ? 0 : nil
            } else if ["pattern_list", "tuple_pattern"].contains(left.type) {
                ownPlace = left.namedChildren.filter { $0.type != "comment" }.firstIndex { $0.type == "identifier" && $0.text == own }
            }
            if ownPlace == nil { return [] }
        }
        var result: [(expression: Node, own: String, partners: [Node], returned: Node, arguments: [String: Node])] = []
        for returned in returnedValues(function) {
            let value = unparenthesized(returned)
            let items = ["expression_list", "tuple"].contains(value.type) ? value.namedChildren.filter { $0.type != "comment" } : [value]
            for (place, item) in items.enumerated() {
                var mixed = unparenthesized(item)
                if mixed.type == "identifier", !parameters.contains(mixed.text), let local = latestValue(of: mixed.text, before: returned) {
                    mixed = unparenthesized(local)
                }
                guard ownParameter != nil || place == ownPlace,
                      let ownName = ownParameter ?? computedOwn(in: mixed, of: function, parameters: parameters, before: returned) else { continue }
                let partners = mixPartners(mixed, own: ownName, throughHelpers: false)
                if !partners.isEmpty { result.append((mixed, ownName, partners, returned, arguments)) }
            }
        }
        return result
    }

    /// For a mix a helper returns that does not read the tensor the call passes as `own` (`(1 - self.lamb) * v +
    /// self.lamb * v1` with `v = self.c_v(x)` computed in the helper), the helper's local playing `own`: a name of the
    /// mix that is none of the function's parameters, that the helper assigns before the `return`, and whose partners
    /// in the mix include a parameter the call fills (see `partnerParameters`). Nil when there is none.
    func computedOwn(in mixed: Node, of function: Function, parameters: [String], before returned: Node) -> String? {
        for n in descendants(of: mixed) where n.type == "identifier" && !function.parameters.contains(n.text) {
            // The name of an attribute (`lamb` in `self.lamb`) is no local.
            if let parent = n.parent, parent.type == "attribute", parent.child(byField: "attribute") == n { continue }
            guard latestValue(of: n.text, before: returned) != nil else { continue }
            let partners = mixPartners(mixed, own: n.text, throughHelpers: false)
            if partners.contains(where: { !partnerParameters($0, parameters: parameters, own: n.text, before: returned).isEmpty }) { return n.text }
        }
        return nil
    }

    /// Whether the helper a mix assignment calls (`v, v1 = blend(v, v1)`) sets the tensor it mixes in from the one it
    /// mixes, as a layer that starts the chain with its own values does: `anchor = v if v1 is None else v1`, or
    /// `if v1 is None: v1 = v`, inside the helper.
    public func helperSetsPartnerFromOwn(_ assignment: Node, own: String) -> Bool {
        helperMixes(assignment, own: own).contains { mix in
            mix.partners.contains { partner in
                localValues(of: partner.text, around: mix.returned).contains { value in
                    let value = unparenthesized(value)
                    let sides = conditionalParts(value).map { [$0.value, $0.alternative] } ?? [value]
                    return sides.contains { tensorRoot($0)?.text == mix.own }
                }
            }
        }
    }
}
