import Parsing
import TreeSitterKit

/// How a running average's coefficient is written.
public enum AverageCoefficient {
    /// The share kept of the old average (`m.mul_(b)`, `b * m + ...`): the decay itself (Adam's beta, a momentum).
    case decay(Node)
    /// The share taken of the new value (`m.lerp_(g, w)`): one minus the decay.
    case weight(Node)

    public var node: Node {
        switch self {
        case .decay(let n), .weight(let n): return n
        }
    }
}

/// A running average a function keeps (a moment of Adam, a momentum buffer).
public struct RunningAverage {
    /// The call or assignment that updates it.
    public let node: Node
    /// The text of the tensor it is kept in (`m`, `state["exp_avg"]`, `self.buf`).
    public let target: String
    public let coefficient: AverageCoefficient
    /// Whether it averages a square (`g * g`, `addcmul_(g, g)`): a second moment.
    public let ofSquare: Bool
}

extension PythonFacts {
    /// The running averages a function keeps, in the forms `a.lerp_(x, w)`, `torch.lerp(a, x, w)`,
    /// `a.mul_(b).add_(x, alpha=w)` / `.addcmul_(x, x, value=w)` (chained or as two statements), and
    /// `a = b * a + w * x` (also as `a.copy_(b * a + w * x)`); the multi-tensor forms (`torch._foreach_lerp_(ms, gs,
    /// w)`, `torch._foreach_mul_(vs, b)` then `torch._foreach_addcmul_(vs, gs, gs, value=w)`) as the method calls they
    /// apply to each tensor.
    public func runningAverages(in function: Function) -> [RunningAverage] {
        var result: [RunningAverage] = []
        let inside = descendants(of: function.node)
        var decays: [String: Node] = [:]  // `a.mul_(b)` statements by the text of `a`
        for node in inside where node.type == "call" {
            let call = methodView(callSite(node))
            if call.name == "mul_", let receiver = call.receiver, let factor = call.positional.first, node.parent?.type == "expression_statement" {
                decays[unparenthesized(receiver).text] = factor
            }
        }
        for node in inside {
            switch node.type {
            case "call":
                // `torch._foreach_lerp_(ms, gs, w)` is `ms.lerp_(gs, w)` over each tensor (`methodView`).
                let call = methodView(callSite(node))
                switch call.name {
                case "lerp_", "lerp":
                    let arguments = call.receiver != nil ? Array(call.positional) : Array(call.positional.dropFirst())
                    guard let data = arguments.first, let weight = arguments.dropFirst().first ?? call.keywords["weight"] else { continue }
                    guard let target = call.receiver ?? call.positional.first else { continue }
                    result.append(RunningAverage(node: node, target: unparenthesized(target).text, coefficient: .weight(weight), ofSquare: isSquare(data)))
                case "add_", "addcmul_":
                    guard let receiver = call.receiver.map(unparenthesized) else { continue }
                    let decay: Node?
                    if receiver.type == "call", callSite(receiver).name == "mul_" {
                        decay = callSite(receiver).positional.first
                    } else {
                        decay = decays[receiver.text]
                    }
                    // `p.mul_(1 - lr * wd); p.add_(update, alpha=-lr)`: a decayed parameter moved by a step, not an average.
                    guard let decay, !isNegative(call.keywords["alpha"]) else { continue }
                    let squared = call.name == "addcmul_" ? isSquareProduct(call.positional) : call.positional.first.map { isSquare($0) } ?? false
                    let target = receiver.type == "call" ? callSite(receiver).receiver.map { unparenthesized($0).text } ?? receiver.text : receiver.text
                    result.append(RunningAverage(node: node, target: target, coefficient: .decay(decay), ofSquare: squared))
                case "copy_":
                    // a.copy_(b * a + w * x)
                    if let target = call.receiver, let value = call.positional.first, let average = blend(node, target: target, value: value) {
                        result.append(average)
                    }
                default:
                    continue
                }
            case "assignment":
                if let left = node.child(byField: "left"), let right = node.child(byField: "right"),
                   let average = blend(node, target: left, value: right) {
                    result.append(average)
                }
            default:
                continue
            }
        }
        return result
    }

    /// `a = b * a + w * x` (either order of the addends and of each product's factors) as a running average of `x`;
    /// also the functional form that reads the old value from a state entry named like the new one (`m = state["m"] *
    /// b1 + (1 - b1) * g`, `m = self.m * b1 + ...`), kept as that entry.
    private func blend(_ node: Node, target: Node, value: Node) -> RunningAverage? {
        let terms = addends(value)
        guard terms.count == 2 else { return nil }
        let written = unparenthesized(target)
        var candidates = [written.text]
        if written.type == "identifier" {
            for term in terms.map(unparenthesized) where term.type == "binary_operator" {
                for factor in [term.child(byField: "left"), term.child(byField: "right")].compactMap({ $0.map(unparenthesized) }) {
                    let key = factor.type == "subscript" ? factor.child(byField: "subscript").flatMap(SettingsTable.stringValue)
                        : factor.type == "attribute" ? factor.child(byField: "attribute")?.text : nil
                    if key == written.text { candidates.append(factor.text) }
                }
            }
        }
        for text in candidates {
            if let average = blend(node, terms: terms, oldValue: text) { return average }
        }
        return nil
    }

    private func blend(_ node: Node, terms: [Node], oldValue text: String) -> RunningAverage? {
        for (index, term) in terms.enumerated() {
            guard let factor = productWith(text, term)?.1 else { continue }
            let other = unparenthesized(terms[1 - index])
            let data = productData(other)
            return RunningAverage(node: node, target: text, coefficient: .decay(factor), ofSquare: data.map { isSquare($0) } ?? isSquare(other))
        }
        return nil
    }

    /// A step size that moves against the update (`alpha=-lr`, `alpha=-group["lr"] * scale`).
    private func isNegative(_ node: Node?) -> Bool {
        guard let node = node.map(unparenthesized) else { return false }
        if node.type == "unary_operator", node.child(byField: "operator")?.type == "-" { return true }
        if node.type == "binary_operator", let left = node.child(byField: "left") { return isNegative(left) }
        return evaluate(node).map { $0 < 0 } ?? false
    }

    /// For `b * a` or `a * b` with `a` the given text: (`a`, `b`).
    private func productWith(_ text: String, _ term: Node) -> (Node, Node)? {
        let term = unparenthesized(term)
        guard term.type == "binary_operator", term.child(byField: "operator")?.type == "*",
              let l = term.child(byField: "left"), let r = term.child(byField: "right") else { return nil }
        if unparenthesized(r).text == text { return (r, l) }
        if unparenthesized(l).text == text { return (l, r) }
        return nil
    }

    /// The data factor of `w * x` (the operand that is not a constant-like coefficient `1 - b`).
    private func productData(_ term: Node) -> Node? {
        guard term.type == "binary_operator", term.child(byField: "operator")?.type == "*",
              let l = term.child(byField: "left"), let r = term.child(byField: "right") else { return nil }
        func isCoefficient(_ n: Node) -> Bool {
            let n = unparenthesized(n)
            return n.type == "binary_operator" && n.child(byField: "operator")?.type == "-" || evaluate(n) != nil
        }
        if isCoefficient(l) { return r }
        if isCoefficient(r) { return l }
        return nil
    }

    /// `x * x`, `x ** 2`, `x.square()`, `torch.square(x)`, `x.pow(2)`, `torch.mul(x, x)`, or a local name given one.
    func isSquare(_ node: Node, depth: Int = 0) -> Bool {
        let node = unparenthesized(node)
        switch node.type {
        case "binary_operator":
            let op = node.child(byField: "operator")?.type
            guard let l = node.child(byField: "left"), let r = node.child(byField: "right") else { return false }
            if op == "*" {
                if unparenthesized(l).text == unparenthesized(r).text || isSquare(l, depth: depth) || isSquare(r, depth: depth) { return true }
                // A product naming one factor twice, other factors aside (`(1 - b2) * g * g`, parsed `((1 - b2) * g) * g`).
                var factors: [String] = []
                var pending = [node]
                while let n = pending.popLast() {
                    if n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
                       let a = n.child(byField: "left"), let b = n.child(byField: "right") {
                        pending += [unparenthesized(a), unparenthesized(b)]
                    } else if ["identifier", "attribute", "subscript"].contains(n.type) {
                        factors.append(n.text)
                    }
                }
                return Set(factors).count < factors.count
            }
            if op == "**" { return evaluate(r) == 2 }
            return false
        case "call":
            let call = callSite(node)
            switch call.name {
            case "square", "square_": return true
            case "pow", "pow_": return call.positional.last.flatMap { evaluate($0) } == 2
            case "mul": return isSquareProduct(call.receiver.map { [$0] + call.positional } ?? call.positional)
            default: return false
            }
        case "identifier":
            guard depth < 2, let value = latestValue(of: node.text, before: node) else { return false }
            return isSquare(value, depth: depth + 1)
        default:
            return false
        }
    }

    private func isSquareProduct(_ factors: [Node]) -> Bool {
        factors.count >= 2 && unparenthesized(factors[0]).text == unparenthesized(factors[1]).text
    }

}
