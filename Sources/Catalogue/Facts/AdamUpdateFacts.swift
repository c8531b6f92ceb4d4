import Parsing
import TreeSitterKit

/// An Adam-style step written out by hand, in an optimizer class's method or in a plain function: a parameter
/// moved by a first moment divided by the square root of a second moment plus an epsilon, both moments being
/// running averages (`m.lerp_(g, 1 - b1)`, `v.mul_(b2).addcmul_(g, g, value=1 - b2)`, `m = b1 * m + (1 - b1) * g`).
public struct AdamUpdate {
    /// The function computing the step.
    public let function: PythonFacts.Function
    /// The division by the root of the second moment (or the `addcdiv_` call) that forms the step.
    public let step: Node
    /// The epsilon added to the root, when one is.
    public let epsilon: Node?
    /// The first moment's coefficient (beta1, or 1 - beta1 as a weight), when its running average is read.
    public let firstMoment: AverageCoefficient?
}

extension PythonFacts {
    /// The hand-written Adam steps of the file (see `AdamUpdate`). A norm (`x / (x.pow(2).mean().sqrt() + eps)`)
    /// is not one: the quotient must reach an in-place update of a parameter (or be returned by a pure update
    /// function whose callers apply it, see `returnsAppliedStep`, or by a link of a chain of transformations, see
    /// `TransformChain`), and the function must keep two running averages,
    /// one of them of a square.
    public var adamUpdates: [AdamUpdate] {
        memoized("adamUpdates") {
            var result: [AdamUpdate] = []
            var done = Set<Node>()
            var averagesByFunction: [Node: [RunningAverage]] = [:]
            for candidate in adamStepCandidates() {
                guard let function = enclosingFunction(candidate.step), !done.contains(function.node) else { continue }
                let averages = averagesByFunction[function.node] ?? runningAverages(in: function)
                averagesByFunction[function.node] = averages
                guard averages.contains(where: \.ofSquare) else { done.insert(function.node); continue }
                // The step divides the first moment (not the gradient: RMSprop, with or without momentum, is not Adam).
                let firstMoments = averages.filter { !$0.ofSquare }
                guard let first = firstMoments.first(where: { readsTensor($0.target, candidate.numerator) }),
                      reachesParameterUpdate(candidate.step, in: function) || returnsAppliedStep(candidate.step, in: function)
                        || isChainLinkCode(function)
                else { continue }
                done.insert(function.node)
                result.append(AdamUpdate(function: function, step: candidate.step, epsilon: candidate.epsilon,
                                         firstMoment: first.coefficient))
            }
            return result
        }
    }

    /// Divisions by a root plus a constant (`m / (v.sqrt() + eps)`, `m / v.sqrt().add_(eps)`, `m / (v ** 0.5 +
    /// eps)`, through a local `denom = ...`; also `m.div(...)` and `torch.div(m, ...)`) and `addcdiv_(m, denom)` calls with such a denominator, also in their
    /// multi-tensor form (`torch._foreach_addcdiv_(ps, ms, denom)`, see `methodView`).
    private func adamStepCandidates() -> [(step: Node, numerator: Node, epsilon: Node?)] {
        var result: [(Node, Node, Node?)] = []
        for node in nodes(ofType: "binary_operator") where node.child(byField: "operator")?.type == "/" {
            guard let left = node.child(byField: "left"), let right = node.child(byField: "right"),
                  let denominator = rootPlusConstant(right) else { continue }
            result.append((node, left, denominator.epsilon))
        }
        // Division as a call: `m.div(v.sqrt().add_(eps))`, `torch.div(m, denom)`, `torch._foreach_div(ms, denoms)`.
        for name in ["div", "div_", "divide", "true_divide", "_foreach_div", "_foreach_div_"] {
            for site in calls(named: name) {
                let call = methodView(site)
                let qualified = site.callee.hasPrefix("torch.") && !call.isForeach
                let tensors = qualified ? Array(call.positional) : [call.receiver].compactMap { $0 } + call.positional
                guard tensors.count >= 2 || (tensors.count == 1 && call.keywords["other"] != nil) else { continue }
                let divisor = tensors.count >= 2 ? tensors[1] : call.keywords["other"]!
                guard let denominator = rootPlusConstant(divisor) else { continue }
                result.append((site.node, tensors[0], denominator.epsilon))
            }
        }
        for name in ["addcdiv_", "addcdiv", "_foreach_addcdiv_", "_foreach_addcdiv"] {
            for site in calls(named: name) {
                let call = methodView(site)
                let tensors = call.receiver != nil ? Array(call.positional) : Array(call.positional.dropFirst())
                guard tensors.count >= 2, let denominator = rootPlusConstant(tensors[1]) else { continue }
                result.append((site.node, tensors[0], denominator.epsilon))
            }
        }
        return result
    }

    /// Whether an expression reads a tensor (by its text), directly or through up to two local names
    /// (`m_hat = m / (1 - b1 ** t)`).
    private func readsTensor(_ text: String, _ expression: Node, depth: Int = 0) -> Bool {
        descendants(of: expression).contains { n in
            if unparenthesized(n).text == text { return true }
            guard depth < 2, n.type == "identifier" else { return false }
            // A parameter of a lambda mapped over tensor lists (`tree_map(lambda m, v: m / (v.sqrt() + eps), mu, nu)`,
            // `map(...)`): the list in its place.
            if let mapped = mappedSequence(of: n) { return readsTensor(text, mapped, depth: depth + 1) }
            guard let value = latestValue(of: n.text, before: n) else { return false }
            return readsTensor(text, value, depth: depth + 1)
        }
    }

    /// `r + eps`, `eps + r`, `r.add(eps)` / `r.add_(eps)` with `r` a square root (`x.sqrt()`, `torch.sqrt(x)`,
    /// `x ** 0.5`, or such a root divided by a bias correction), possibly through one local name, the constant also
    /// added in place to that name before the use (`denom = v.sqrt(); denom.add_(eps)`); multi-tensor forms alike.
    private func rootPlusConstant(_ node: Node, depth: Int = 0) -> (root: Node, epsilon: Node?)? {
        let node = unparenthesized(node)
        if node.type == "identifier", depth == 0, let value = latestValue(of: node.text, before: node) {
            if let found = rootPlusConstant(value, depth: 1) { return found }
            // denom = v.sqrt(); denom.add_(eps) (or torch._foreach_add_(denom, eps)) before the division.
            guard isSquareRoot(value) else { return nil }
            let scope = enclosingFunction(node)?.node
            for call in calls where call.node.startByte >= value.endByte && call.node.endByte <= node.startByte
                && enclosingFunction(call.node)?.node == scope {
                let view = methodView(call)
                if view.name == "add_", let receiver = view.receiver, unparenthesized(receiver).text == node.text,
                   call.node.parent?.type == "expression_statement", let epsilon = view.positional.first {
                    return (value, epsilon)
                }
            }
            return nil
        }
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "+",
           let left = node.child(byField: "left"), let right = node.child(byField: "right") {
            if isSquareRoot(left) { return (left, right) }
            if isSquareRoot(right) { return (right, left) }
        }
        if node.type == "call" {
            let call = methodView(callSite(node))
            if ["add", "add_"].contains(call.name), let receiver = call.receiver, isSquareRoot(receiver) {
                return (receiver, call.positional.first ?? call.keywords["other"])
            }
        }
        return nil
    }

    /// A square root, or one divided by something (`(v.sqrt() / math.sqrt(bias_correction2))`).
    private func isSquareRoot(_ node: Node) -> Bool {
        let node = unparenthesized(node)
        switch node.type {
        case "call":
            return ["sqrt", "sqrt_"].contains(methodView(callSite(node)).name)
        case "binary_operator":
            let op = node.child(byField: "operator")?.type
            if op == "**", let exponent = node.child(byField: "right") { return evaluate(exponent) == 0.5 }
            if op == "/", let left = node.child(byField: "left") { return isSquareRoot(left) }
            return false
        default:
            return false
        }
    }

    /// Whether a step is what a pure update function returns and its callers apply in place to parameters
    /// (`direction = m_hat / (v_hat.sqrt() + eps); return direction, state`, with `d, st = adam_update(g, st)` then
    /// `apply_updates(leaves, [d], lr)`; see `appliedUpdates(of:)`): the step is in a returned value, directly or
    /// through up to two local names.
    func returnsAppliedStep(_ step: Node, in function: Function) -> Bool {
        func returned(_ node: Node, depth: Int) -> Bool {
            var current: Node? = node
            while let n = current, n != function.node {
                switch n.type {
                case "return_statement":
                    return true
                case "assignment":
                    guard depth < 2, let left = n.child(byField: "left"), left.type == "identifier" else { return false }
                    return descendants(of: function.node).contains { use in
                        use.type == "identifier" && use.text == left.text && use.startByte > n.endByte
                            && enclosingFunction(use)?.node == function.node && returned(use, depth: depth + 1)
                    }
                case "expression_statement", "function_definition":
                    return false
                default:
                    current = n.parent
                    continue
                }
            }
            return false
        }
        return returned(step, depth: 0) && !appliedUpdates(of: function).isEmpty
    }

    /// Whether a step reaches an in-place change of a parameter in its function: it is inside the arguments of
    /// `sub_` / `add_` / `addcdiv_` / `copy_` on something, of `-=` / `+=`, or of an assignment to an attribute or
    /// subscript (`p.data = ...`, `params[k] = params[k] - ...`), directly or through up to two local names.
    func reachesParameterUpdate(_ step: Node, in function: Function, depth: Int = 0) -> Bool {
        var node: Node? = step
        while let n = node, n != function.node {
            switch n.type {
            case "call":
                let call = methodView(callSite(n))
                if ["sub_", "add_", "addcdiv_", "copy_", "addcmul_"].contains(call.name), call.receiver != nil, n != step || call.name == "addcdiv_" {
                    return true
                }
            case "augmented_assignment":
                return ["-=", "+="].contains(n.child(byField: "operator")?.type ?? "")
            case "assignment":
                guard let left = n.child(byField: "left") else { return false }
                if left.type == "attribute" || left.type == "subscript" { return true }
                guard depth < 2, left.type == "identifier" else { return false }
                let name = left.text
                return descendants(of: function.node).contains { use in
                    use.type == "identifier" && use.text == name && use.startByte > n.endByte
                        && reachesParameterUpdate(use, in: function, depth: depth + 1)
                }
            case "expression_statement", "return_statement", "function_definition":
                return false
            default:
                break
            }
            node = n.parent
        }
        return false
    }
}
