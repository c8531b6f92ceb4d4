import Parsing
import TreeSitterKit

/// `value_mix_two_lambdas`: attention blends its values with an extra value input using two independent
/// learnable weights (`lambdas[0] * v + lambdas[1] * ve`) instead of a convex pair.
///
/// Requires, in a function with an attention kernel call, an assignment that feeds the call's value argument and
/// computes `a * v + b * e` (also written `torch.addcmul(a * v, e, b)`), where `v` is the value being reassigned,
/// `e` starts from a parameter of the function (the value embedding or residual passed in, also as the field of a
/// record passed in, `args.ve`), and `a`, `b` are two distinct learnable scalars: two constant
/// indices of one parameter (`lambdas[0]`, `lambdas[1]`; also of a learnable entry of a functional model's parameter
/// tree, `p["v_lambdas"][0]`) or two attributes set to `nn.Parameter`; or the weighted
/// sum `(w * torch.stack([v, e])).sum(0)` (or `torch.einsum("s,s...->...", w, torch.stack([v, e]))`, or
/// `torch.tensordot(w, torch.stack([v, e]), dims=1)`) with a learnable `w`; or the same sum stored by a kernel that a
/// function of the file launches on `v`, `e` and `w` (`w0 * a + w1 * b` with `w0`, `w1` loaded from `w`'s elements 0
/// and 1, see `kernelLoad`); or any of these returned by a helper of the file the assignment calls, with `v`, `e` and
/// learnable weights passed for its parameters; or returned by a forward hook on a projection feeding the values
/// (`attn.c_v.register_forward_hook(mix)`, its output parameter as `v`) with `e` a field a forward pre-hook stored
/// from a module's inputs (`module._vi = args[1]`). Rejects the convex `(1 - l) * v + l * e` (also
/// with a second, unused element), fixed constants, and the block's `x`/`x0` residual mix (it does not feed
/// attention values). Examples: `queries/python/value_mix_two_lambdas/examples/`.
struct ValueMixTwoLambdas: Detector {
    let id = "value_mix_two_lambdas"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        let model = facts.model()
        var evidence: [Evidence] = []
        for (call, value) in facts.attentionValueInputs() {
            guard let function = facts.enclosingFunction(call.node) else { continue }
            // What reaches the values without crossing a projection (a mix of the block input before `c_v(x)` is
            // the residual, not the values).
            let feeding = Set(facts.lineage(of: value, model: model, flow: flow).steps)
            func feeds(_ right: Node) -> Bool {
                let r = facts.unwrapped(right)
                if feeding.contains(r) { return true }
                return r.type == "conditional_expression" && r.namedChildren.contains { feeding.contains(facts.unwrapped($0)) }
            }
            for node in facts.descendants(function.node) where node.type == "assignment" {
                guard let target = node.child(byField: "left"), target.type == "identifier",
                      let right = node.child(byField: "right"), feeds(right) else { continue }
                if isTwoWeightMix(right, target.text, function, facts, flow) {
                    evidence.append(facts.evidence(node, "values mixed with two learnable weights"))
                } else if isKernelTwoWeightMix(facts.unwrapped(right), target.text, function, facts, flow) {
                    evidence.append(facts.evidence(node, "values mixed with two learnable weights in a kernel"))
                } else if isHelperTwoWeightMix(facts.unwrapped(right), target.text, function, facts, flow) {
                    evidence.append(facts.evidence(node, "values mixed with two learnable weights by a helper"))
                }
            }
            // A forward hook on a projection feeding the values (`attn.c_v.register_forward_hook(mix)`) replaces its
            // result: a two-weight mix the hook returns of its output parameter with a field a pre-hook stored from
            // the inputs of a module (`module._vi = args[1]`, `PythonFacts.hookStashedInputFields`) is the mix.
            let stashed = Set(facts.hookStashedInputFields.map { "." + $0 })
            guard !stashed.isEmpty else { continue }
            for projection in facts.lineage(of: value, model: model, flow: flow).projections {
                for hook in facts.forwardHooks(on: facts.callSite(projection), kind: .output) {
                    for code in hook.functions {
                        guard let output = facts.outputParameter(of: code, in: hook) else { continue }
                        for returned in facts.returnedValues(code) where isTwoWeightMix(returned, output, code, facts, flow, inputs: stashed) {
                            evidence.append(facts.evidence(returned, "values mixed with two learnable weights by a forward hook on the value projection"))
                        }
                    }
                }
            }
        }
        return evidence
    }

    /// Methods that only reshape a tensor.
    static let reshapes: Set<String> = ["transpose", "view", "view_as", "reshape", "permute", "contiguous", "flatten", "unflatten"]

    /// Whether `expression` is a two-weight mix of `v` with another input: a parameter of `function`, or one of
    /// `inputs` when given (the roots `root` gives, `.name` for a field `obj.name`). A reshape of the mix is the mix.
    func isTwoWeightMix(_ expression: Node, _ v: String, _ function: PythonFacts.Function, _ facts: PythonFacts, _ flow: Dataflow,
                        inputs: Set<String>? = nil) -> Bool {
        let e = facts.unwrapped(expression)
        // `(a * v + b * ve).transpose(1, 2)`: a reshape of the mix is the mix.
        if e.type == "call", case let call = facts.callSite(e), Self.reshapes.contains(call.name), let receiver = call.receiver {
            return isTwoWeightMix(receiver, v, function, facts, flow, inputs: inputs)
        }
        if e.type == "conditional_expression" {
            // `a * v if ve is None else a * v + b * ve`: either branch.
            let parts = e.namedChildren
            return parts.count == 3 && (isTwoWeightMix(parts[0], v, function, facts, flow, inputs: inputs)
                || isTwoWeightMix(parts[2], v, function, facts, flow, inputs: inputs))
        }
        let parameters = inputs ?? Set(function.parameters.filter { $0 != "self" })
        // a * v + b * e (also `torch.addcmul(a * v, e, b)`, see `sum`)
        if let parts = sum(e, facts), let left = product(parts.left, facts), let right = parts.right {
            for (first, second) in [(left, right), (right, left)] {
                for (a, x) in [(first.0, first.1), (first.1, first.0)] where root(x, facts) == v {
                    for (b, y) in [(second.0, second.1), (second.1, second.0)] {
                        guard let r = root(y, facts), r != v, parameters.contains(r) || isFieldOfParameter(y, parameters, facts) else { continue }
                        if independentWeights(a, b, facts, flow) { return true }
                    }
                }
            }
        }
        // v = a * v; v = v + b * e (the first weight applied by the previous assignment)
        if let parts = sum(e, facts), case let left = facts.unwrapped(parts.left), left.type == "identifier", left.text == v,
           let right = parts.right,
           let previous = flow.latestValue(of: v, before: expression).flatMap({ product($0, facts) }) {
            for (a, x) in [(previous.0, previous.1), (previous.1, previous.0)] where root(x, facts) == v {
                for (b, y) in [(right.0, right.1), (right.1, right.0)] {
                    guard let r = root(y, facts), r != v, parameters.contains(r) else { continue }
                    if independentWeights(a, b, facts, flow) { return true }
                }
            }
        }
        // torch.einsum("s,sbthd->bthd", w, torch.stack([v, e])), torch.tensordot(w, stack, dims=1),
        // (w * torch.stack([v, e])).sum(0): the same weighted sum over the stacked axis.
        if let (weight, items) = facts.stackedWeightedSum(e), items.count == 2, isLearnable(weight, facts) {
            let roots = items.map { root($0, facts) }
            if roots.contains(v), roots.contains(where: { $0 != nil && $0 != v && parameters.contains($0!) }) { return true }
        }
        return false
    }

    /// `v = mix(w, v, ve)` with a function of the file returning the two-weight mix of its parameters (`return
    /// w[0] * v + w[1] * ve`, possibly through a local): read as above on the helper's side, and on the caller's
    /// side `v` must be passed for the helper's value, a parameter of the attention function for the other tensor,
    /// and a learnable tensor for each weight.
    func isHelperTwoWeightMix(_ value: Node, _ v: String, _ function: PythonFacts.Function, _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        guard value.type == "call" else { return false }
        let call = facts.callSite(value)
        let found = facts.targets(of: call)
        guard found.count == 1, let helper = found.first, helper.node != function.node else { return false }
        let names = facts.filledParameters(helper, by: call)
        func argument(_ name: String) -> Node? { names.firstIndex(of: name).flatMap { call.argument(name, position: $0) } }
        guard let own = names.first(where: { argument($0).flatMap { root($0, facts) } == v }) else { return false }
        let outer = Set(function.parameters.filter { $0 != "self" })
        for returned in facts.returnedValues(helper) {
            var mix = facts.unwrapped(returned)
            if mix.type == "identifier", !names.contains(mix.text), let local = flow.latestValue(of: mix.text, before: returned) {
                mix = facts.unwrapped(local)
            }
            guard isTwoWeightMix(mix, own, helper, facts, flow) else { continue }
            let read = Set(facts.descendants(mix).filter { $0.type == "identifier" }.map(\.text)).intersection(names).subtracting([own])
            var mixesInput = false
            let passedWell = read.allSatisfy { name in
                guard let passed = argument(name) else { return false }
                if let r = root(passed, facts), r != v, outer.contains(r) {
                    mixesInput = true
                    return true
                }
                // A pair of learnable weights handed as one tuple (`(self.v_gain, self.ve_gain)`) is learnable too.
                let value = facts.unwrapped(passed)
                if ["tuple", "list"].contains(value.type) {
                    let items = value.namedChildren.filter { $0.type != "comment" }
                    return !items.isEmpty && items.allSatisfy { isLearnable($0, facts) }
                }
                return isLearnable(passed, facts)
            }
            if passedWell && mixesInput { return true }
        }
        return false
    }

    /// `v = mix(v, ve, w)` with a function of the file (a custom op, an autograd function) launching a kernel that
    /// stores `w0 * a + w1 * b`: `w0`, `w1` loaded from two constant elements of the tensor passed for `w` (a
    /// learnable parameter), `a` and `b` loaded element by element from the tensors passed for `v` and for a
    /// parameter of the attention function.
    func isKernelTwoWeightMix(_ value: Node, _ v: String, _ function: PythonFacts.Function, _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        guard value.type == "call" else { return false }
        let call = facts.callSite(value)
        let parameters = Set(function.parameters.filter { $0 != "self" })
        for helper in facts.targets(of: call).flatMap({ facts.reachableFunctions(from: $0) }) {
            // What the call passes for a tensor the helper hands to the kernel (the helper's parameter it starts from).
            let helperParameters = facts.filledParameters(helper, by: call)
            func passed(_ launchArgument: Node) -> Node? {
                guard let name = root(launchArgument, facts), let index = helperParameters.firstIndex(of: name) else { return nil }
                return call.argument(name, position: index)
            }
            for launch in facts.kernelLaunches(in: helper.node) {
                for store in facts.descendants(of: launch.kernel.node) where store.type == "call" && facts.callSite(store).name == "store" {
                    guard let stored = facts.callSite(store).positional.dropFirst().first.map(facts.withoutDtypeCasts),
                          stored.type == "binary_operator", stored.child(byField: "operator")?.type == "+",
                          let first = stored.child(byField: "left").flatMap({ product($0, facts) }),
                          let second = stored.child(byField: "right").flatMap({ product($0, facts) }) else { continue }
                    // Each product: a weight (one element) times a tensor (element by element).
                    func split(_ pair: (Node, Node)) -> (weight: (Node, Int), tensor: Node)? {
                        for (w, t) in [(pair.0, pair.1), (pair.1, pair.0)] {
                            if let weight = facts.kernelLoad(w, in: launch), let element = weight.element,
                               let tensor = facts.kernelLoad(t, in: launch), tensor.element == nil {
                                return ((weight.argument, element), tensor.argument)
                            }
                        }
                        return nil
                    }
                    guard let a = split(first), let b = split(second), a.weight.1 != b.weight.1,
                          facts.compact(a.weight.0) == facts.compact(b.weight.0),
                          let weight = passed(a.weight.0), isLearnable(weight, facts) else { continue }
                    let roots = [a.tensor, b.tensor].map { passed($0).flatMap { root($0, facts) } }
                    if roots.contains(v), roots.contains(where: { $0 != nil && $0 != v && parameters.contains($0!) }) { return true }
                }
            }
        }
        return false
    }

    /// A sum `left + right` with the right side's two factors when it is a product: a written `a + b * c`, or
    /// `torch.addcmul(a, b, c)` / `a.addcmul(b, c)` (which compute `a + b * c`; not with a `value=` factor).
    func sum(_ e: Node, _ facts: PythonFacts) -> (left: Node, right: (Node, Node)?)? {
        if e.type == "binary_operator", e.child(byField: "operator")?.type == "+",
           let left = e.child(byField: "left"), let right = e.child(byField: "right") {
            return (left, product(right, facts))
        }
        guard e.type == "call" else { return nil }
        let call = facts.callSite(e)
        guard call.name == "addcmul", call.keywords.isEmpty, !call.hasSplat else { return nil }
        let p = call.positional.map(facts.unwrapped)
        if call.callee == "torch.addcmul", p.count == 3 { return (p[0], (p[1], p[2])) }
        if let receiver = call.receiver, p.count == 2 { return (receiver, (p[0], p[1])) }
        return nil
    }

    /// The two factors of `a * b`.
    func product(_ node: Node, _ facts: PythonFacts) -> (Node, Node)? {
        var n = facts.unwrapped(node)
        // `(w1 * ve if ve is not None else 0)`: the product when there is something to mix.
        if n.type == "conditional_expression" {
            let parts = n.namedChildren
            guard parts.count == 3 else { return nil }
            if facts.evaluate(parts[2]) == 0 {
                n = facts.unwrapped(parts[0])
            } else if facts.evaluate(parts[0]) == 0 {
                n = facts.unwrapped(parts[2])
            } else {
                return nil
            }
        }
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
              let a = n.child(byField: "left"), let b = n.child(byField: "right") else { return nil }
        return (facts.unwrapped(a), facts.unwrapped(b))
    }

    /// The variable an expression starts from: `vi.view_as(v)` -> `vi`, `ve[i]` -> `ve`; a field read
    /// (`attn._vi.view_as(v)`) gives `.` and the field's name (`._vi`), never a parameter's name. `depth`: the shape
    /// helpers followed so far (a helper returning a call of itself is given up on).
    func root(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> String? {
        guard depth < 8 else { return nil }
        var n = facts.unwrapped(node)
        while true {
            switch n.type {
            case "identifier": return n.text
            case "attribute": return n.child(byField: "attribute").map { "." + $0.text }
            case "call":
                // A shape helper of the file (`split = lambda t: t.view(...).transpose(1, 2)`, `self.heads(t)`): the argument
                // it reshapes.
                if let argument = reshapedArgument(facts.callSite(n), facts, depth: depth) {
                    n = facts.unwrapped(argument)
                    continue
                }
                guard let function = n.child(byField: "function"), function.type == "attribute", let object = function.child(byField: "object") else { return nil }
                n = facts.unwrapped(object)
            case "subscript":
                guard let value = n.namedChildren.first else { return nil }
                n = facts.unwrapped(value)
            default:
                return nil
            }
        }
    }

    /// For a call of a lambda or function of the file that returns one of its parameters reshaped (its result's `root`
    /// is that parameter: `lambda t: t.view(B, T, H, -1).transpose(1, 2)`), the argument passed for that parameter; nil
    /// for any other call (a projection, a helper computing something new from its input).
    func reshapedArgument(_ call: CallSite, _ facts: PythonFacts, depth: Int = 0) -> Node? {
        guard let callee = call.function.map(facts.unwrapped) else { return nil }
        var candidates: [(parameters: [String], results: [Node])] = []
        if callee.type == "identifier" {
            candidates += facts.boundLambdas(named: callee.text).compactMap { bound in
                bound.lambda.child(byField: "body").map { (bound.parameters, [$0]) }
            }
        }
        if candidates.isEmpty {
            candidates += facts.targets(of: call).map { function in
                (function.passedParameters, facts.returnedValues(function))
            }
        }
        guard !candidates.isEmpty else { return nil }
        var index: Int?
        for candidate in candidates {
            guard !candidate.results.isEmpty else { return nil }
            let roots = Set(candidate.results.map { root($0, facts, depth: depth + 1) })
            guard roots.count == 1, let only = roots.first, let name = only, let position = candidate.parameters.firstIndex(of: name),
                  index == nil || index == position else { return nil }
            // Only what reshapes: calls on the parameter, no arithmetic with something else.
            guard candidate.results.allSatisfy({ facts.unwrapped($0).type == "call" || facts.unwrapped($0).type == "identifier" }) else { return nil }
            index = position
        }
        guard let index, index < call.positional.count else { return nil }
        return call.positional[index]
    }

    /// A field read off a parameter of the function (`args.ve`, `args.ve.view_as(v)` with `args` the record of per-layer
    /// inputs handed to the attention), through the wrappers `root` strips: an input passed in, like a parameter.
    func isFieldOfParameter(_ node: Node, _ parameters: Set<String>, _ facts: PythonFacts) -> Bool {
        var n = facts.unwrapped(node)
        while true {
            if n.type == "call", let function = n.child(byField: "function"), function.type == "attribute",
               let object = function.child(byField: "object") {
                n = facts.unwrapped(object)
            } else if n.type == "subscript", let value = n.namedChildren.first {
                n = facts.unwrapped(value)
            } else {
                break
            }
        }
        guard n.type == "attribute", let object = n.child(byField: "object").map(facts.unwrapped), object.type == "identifier" else { return false }
        return parameters.contains(object.text)
    }

    /// Two distinct learnable scalars: `w[0]` and `w[1]` of one parameter, or two parameter attributes.
    func independentWeights(_ a: Node, _ b: Node, _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        if let (baseA, indexA) = element(a, facts, flow), let (baseB, indexB) = element(b, facts, flow) {
            return facts.compact(baseA) == facts.compact(baseB) && indexA != indexB && isLearnable(baseA, facts)
        }
        return facts.compact(a) != facts.compact(b) && isLearnable(a, facts) && isLearnable(b, facts)
    }

    /// `w[k]` with a constant k, a name unpacked from `w` (`a, b = w` / `a, b = w.unbind(0)`), or a name given one
    /// element (`a = w[0]`, `a, b = w[0], w[1]`): (w, k).
    func element(_ node: Node, _ facts: PythonFacts, _ flow: Dataflow) -> (Node, Int)? {
        if node.type == "subscript", let base = node.namedChildren.first,
           let index = node.namedChildren.dropFirst().first.flatMap({ facts.value(of: $0)?.double.asBoundedInt }) {
            return (base, index)
        }
        guard node.type == "identifier" else { return nil }
        for binding in flow.bindings(of: node.text, at: node) {
            switch binding.kind {
            case .element(let index):
                var source = facts.unwrapped(binding.node)
                if source.type == "call", let receiver = facts.callSite(source).receiver,
                   ["unbind", "chunk", "split"].contains(facts.callSite(source).name) {
                    source = facts.unwrapped(receiver)
                }
                return (source, index)
            case .value:
                let source = facts.unwrapped(binding.node)
                if source.type == "subscript", let found = element(source, facts, flow) { return found }
            default:
                continue
            }
        }
        return nil
    }

    /// An `nn.Parameter` attribute (or a name passed in, as in functional code, or a learnable entry of a functional
    /// model's parameter tree, `p["v_lambdas"]`, see `PythonFacts.isLearnableTreeEntry`); not arithmetic on one.
    func isLearnable(_ node: Node, _ facts: PythonFacts) -> Bool {
        let n = facts.unwrapped(node)
        switch n.type {
        case "subscript":
            return facts.isLearnableTreeEntry(n)
        case "attribute":
            guard let name = n.child(byField: "attribute")?.text else { return false }
            if name == "view" || name == "reshape" { return false }
            // A field of a record handed in (`inputs.mix` with `LayerInputs(mix=self.value_mix[i])`): what every
            // construction puts there is learnable (a row of a parameter counts as the parameter).
            let carried = facts.constructedFieldValues(n).map(facts.unwrapped)
            if !carried.isEmpty, carried.allSatisfy({ value in
                isLearnable(value.type == "subscript" ? value.namedChildren.first ?? value : value, facts)
            }) { return true }
            return facts.allSettings.settings(name).contains { setting in
                let value = facts.unwrapped(setting.value)
                guard value.type == "call" else { return false }
                let call = facts.callSite(value)
                if call.name == "Parameter" { return true }
                // A helper of the file that makes and returns the parameter (`self.add_weight("value_mix", (2,))`).
                guard let helper = facts.calledFunction(call) else { return false }
                return facts.returnedValues(helper).map(facts.unwrapped).contains { returned in
                    let made = returned.type == "identifier" ? facts.dataflow.latestValue(of: returned.text, before: returned).map(facts.unwrapped) : returned
                    return made.map { $0.type == "call" && facts.callSite($0).name == "Parameter" } ?? false
                }
            }
        case "call":
            // w.view(2, 1, 1, 1)
            let call = facts.callSite(n)
            guard ["view", "reshape", "unsqueeze", "to", "type_as"].contains(call.name), let receiver = call.receiver else { return false }
            return isLearnable(receiver, facts)
        case "identifier":
            if facts.enclosingFunction(n)?.parameters.contains(n.text) ?? false { return true }
            // lambdas = self.lambdas
            return facts.dataflow.latestValue(of: n.text, before: n).map { $0 != n && isLearnable($0, facts) } ?? false
        default:
            return false
        }
    }
}
