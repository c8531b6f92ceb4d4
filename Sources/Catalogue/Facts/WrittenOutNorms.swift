import TreeSitterKit

/// Euclidean norms written out instead of called: the square root of a sum of squares, however the sum of squares is
/// spelled (`g.pow(2).sum().sqrt()`, `torch.sqrt((g * g).sum())`, `(g ** 2).sum() ** 0.5`, an inner product of the tensor
/// with itself, `torch.dot(g, g).sqrt()`, `(g @ g).sqrt()`, `torch.einsum("i,i->", g, g).sqrt()`). Code written in
/// index notation or by hand computes `||g||` this way rather than with `g.norm()`.
extension PythonFacts {
    /// For a norm written out as the root of a sum of squares, the tensor whose norm it is (the operand squared); the
    /// sum of squares may be held by a local name first (`ss = torch.einsum("i,i->", g, g); n = ss.sqrt()`). Nil for
    /// anything else.
    public func writtenOutNormInput(_ node: Node) -> Node? {
        let n = unparenthesized(node)
        var inner: Node?
        if n.type == "call", case let call = callSite(n) {
            if ["torch.sqrt", "math.sqrt", "numpy.sqrt"].contains(call.callee), call.positional.count == 1 {
                inner = call.positional[0]
            } else if call.name == "sqrt", let receiver = call.receiver, call.positional.isEmpty {
                inner = receiver
            }
        } else if n.type == "binary_operator", n.child(byField: "operator")?.type == "**", let right = n.child(byField: "right"),
                  value(of: right)?.double == 0.5 {
            inner = n.child(byField: "left")
        }
        guard var squares = inner.map(unparenthesized) else { return nil }
        if squares.type == "identifier", let held = latestValue(of: squares.text, before: squares) { squares = unparenthesized(held) }
        return sumOfSquaresInput(squares)
    }

    /// The tensor a sum of its own squares is taken of: `t.pow(2).sum()`, `torch.sum(t * t)`, `t.square().sum()`, or an
    /// inner product of the tensor with itself (`torch.dot(t, t)`, `torch.inner(t, t)`, `t @ t`, an einsum whose two
    /// operands are the same tensor with the same indices, all summed: `"i,i->"`).
    func sumOfSquaresInput(_ node: Node) -> Node? {
        let n = unparenthesized(node)
        func sameTensor(_ a: Node, _ b: Node) -> Node? { compact(unparenthesized(a)) == compact(unparenthesized(b)) ? unparenthesized(a) : nil }
        if n.type == "binary_operator", n.child(byField: "operator")?.type == "@", let l = n.child(byField: "left"), let r = n.child(byField: "right") {
            return sameTensor(l, r)
        }
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        switch call.callee {
        case "torch.dot", "torch.vdot", "torch.inner":
            return call.positional.count == 2 ? sameTensor(call.positional[0], call.positional[1]) : nil
        case "torch.einsum", "numpy.einsum":
            guard call.positional.count == 3, let spec = SettingsTable.stringValue(call.positional[0])?.filter({ !$0.isWhitespace }),
                  let arrow = spec.range(of: "->"), spec[arrow.upperBound...].isEmpty else { return nil }
            let inputs = spec[..<arrow.lowerBound].split(separator: ",", omittingEmptySubsequences: false)
            guard inputs.count == 2, inputs[0] == inputs[1], !inputs[0].isEmpty else { return nil }
            return sameTensor(call.positional[1], call.positional[2])
        case "torch.sum":
            return call.positional.count == 1 ? squaredTensor(call.positional[0]) : nil
        default:
            guard call.name == "sum", let receiver = call.receiver, call.positional.isEmpty, call.keywords.isEmpty else { return nil }
            return squaredTensor(receiver)
        }
    }

    /// The tensor a square is taken of: `t.pow(2)`, `t ** 2`, `t * t`, `t.square()`, `torch.square(t)`, `t.mul(t)`.
    func squaredTensor(_ node: Node) -> Node? {
        let n = unparenthesized(node)
        if n.type == "binary_operator", let op = n.child(byField: "operator")?.type, let l = n.child(byField: "left"), let r = n.child(byField: "right") {
            if op == "**", value(of: r)?.double == 2 { return unparenthesized(l) }
            if op == "*", compact(unparenthesized(l)) == compact(unparenthesized(r)) { return unparenthesized(l) }
            return nil
        }
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        if call.callee == "torch.square", call.positional.count == 1 { return unparenthesized(call.positional[0]) }
        guard let receiver = call.receiver else { return nil }
        switch call.name {
        case "square" where call.positional.isEmpty: return unparenthesized(receiver)
        case "pow" where call.positional.count == 1 && value(of: call.positional[0])?.double == 2: return unparenthesized(receiver)
        case "mul" where call.positional.count == 1 && compact(unparenthesized(call.positional[0])) == compact(unparenthesized(receiver)):
            return unparenthesized(receiver)
        default: return nil
        }
    }
}
