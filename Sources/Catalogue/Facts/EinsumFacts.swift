import Parsing
import TreeSitterKit

/// A two-operand `einsum` read as a matrix product: which index it sums over and whether each operand enters
/// transposed. `torch.einsum("bhqd,bhkd->bhqk", q, k)` is `q @ k^T`; `einsum("btd,vd->btv", h, w)` is
/// `h @ w^T`; `einsum("ij,jk->ik", a, b)` is `a @ b`. An einsum that sums over no index or over several
/// (an outer product, a trace, a full contraction) is not a matrix product.
public struct EinsumProduct {
    public let left: Node
    public let right: Node
    /// The left operand's summed index is not its last: it enters as its transpose.
    public let leftTransposed: Bool
    /// The right operand's summed index is its last: it enters as its transpose (`k` in `q @ k^T`).
    public let rightTransposed: Bool
}

extension PythonFacts {
    /// `torch.einsum(spec, a, b)`, `torch.einsum(spec, [a, b])`, `einops.einsum(a, b, spec)` as a matrix product.
    public func einsumProduct(_ node: Node) -> EinsumProduct? {
        guard node.type == "call" else { return nil }
        let call = callSite(node)
        let spec: Node, operands: [Node], named: Bool
        switch call.callee {
        case "torch.einsum", "numpy.einsum", "torch.functional.einsum":
            guard let first = call.positional.first else { return nil }
            spec = first
            var rest = Array(call.positional.dropFirst())
            if rest.count == 1, ["list", "tuple"].contains(unparenthesized(rest[0]).type) {
                rest = unparenthesized(rest[0]).namedChildren.filter { $0.type != "comment" }
            }
            operands = rest
            named = false
        case "einops.einsum":
            guard let last = call.positional.last else { return nil }
            spec = last
            operands = Array(call.positional.dropLast())
            named = true
        default:
            return nil
        }
        guard operands.count == 2, let text = string(of: spec),
              let (inputs, output) = Self.einsumSubscripts(text, named: named), inputs.count == 2 else { return nil }
        let a = inputs[0], b = inputs[1]
        let summed = a.filter { b.contains($0) && !output.contains($0) }
        guard summed.count == 1, let index = summed.first, a.count >= 1, b.count >= 1,
              // Each side keeps an index of its own: otherwise this is a reduction, not a product.
              a.contains(where: { !b.contains($0) }) || b.contains(where: { !a.contains($0) }) else { return nil }
        return EinsumProduct(left: operands[0], right: operands[1],
                             leftTransposed: a.count >= 2 && a.last != index,
                             rightTransposed: b.count >= 2 && b.last == index)
    }

    /// An einsum spec's input subscripts and output subscript, each a list of index names (an ellipsis is
    /// dropped: it stands for batch dimensions on every side). Single letters for torch's spelling, words
    /// separated by spaces for einops'. nil without an explicit output.
    static func einsumSubscripts(_ spec: String, named: Bool) -> (inputs: [[String]], output: [String])? {
        let parts = spec.components(separatedBy: "->")
        guard parts.count == 2 else { return nil }
        func indices(_ term: String) -> [String] {
            let cleaned = term.replacingOccurrences(of: "...", with: " ")
            if named { return cleaned.split(separator: " ").map(String.init) }
            return cleaned.filter { $0.isLetter }.map { String($0) }
        }
        let inputs = parts[0].split(separator: ",").map { indices(String($0)) }
        return (inputs, indices(parts[1]))
    }

    /// The tensor an operand of the product `product` contributes transposed, if it does: `k` for the `k^T`
    /// of `q @ k.transpose(-2, -1)`, `q @ k.mT` or `einsum("...qd,...kd->...qk", q, k)`; nil when the operand
    /// enters as it is.
    public func transposedFactor(_ product: Node, _ operand: Node) -> Node? {
        if let einsum = einsumProduct(product) {
            if operand == einsum.right { return einsum.rightTransposed ? operand : nil }
            if operand == einsum.left { return einsum.leftTransposed ? operand : nil }
            return nil
        }
        return transposedOperand(operand)
    }

    /// The leading size of a reshape that cuts the rows of its input, in order, into equal blocks stacked along a new
    /// leading dimension: `g.view(3, d, n)` / `g.reshape((3, -1, n))` (three sizes or more), `g.unflatten(0, (3, d))`,
    /// einops `rearrange(g, "(k d) n -> k d n", k=3)` (the outer axis of the first input group leads the output; its
    /// size given by keyword or as a number in the pattern). nil for any other call, for a size that is not a number,
    /// and for an einops pattern that takes the rows by stride (`"(d k) n -> k d n"`: the inner axis leads).
    public func leadingBlockCount(_ node: Node) -> Double? {
        let n = unparenthesized(node)
        guard n.type == "call" else { return nil }
        let call = callSite(n)
        switch call.name {
        case "view", "reshape":
            let sizes = reshapeDimensions(call)
            guard call.receiver != nil, sizes.count >= 3 else { return nil }
            return value(of: sizes[0])?.double
        case "unflatten":
            guard call.receiver != nil, call.positional.count == 2, value(of: call.positional[0])?.double == 0,
                  let sizes = call.positional.last.map(unparenthesized), ["tuple", "list"].contains(sizes.type) else { return nil }
            return sizes.namedChildren.first.flatMap { value(of: $0)?.double }
        case "rearrange":
            guard call.callee == "einops.rearrange" || call.receiver == nil, let pattern = einopsPattern(call),
                  case .group(let group)? = pattern.input.first, group.count >= 2,
                  pattern.output.first?.axes == [group[0]] else { return nil }
            let axis = group[0]
            return Double(axis) ?? call.keywords[axis].flatMap { value(of: $0)?.double }
        default:
            return nil
        }
    }
}

extension PythonFacts {
    /// For a call of a helper of the file that multiplies one parameter by another and returns the product (`def
    /// linear(x, w): return torch.einsum("b t i, o i -> b t o", x, w)`, `x @ w.T`, `F.linear(x, w)`): the arguments the
    /// call hands it for the input and for the weight (`linear(h, self.c_fc.weight)`: `h`, `self.c_fc.weight`). Nil for
    /// any other call, a helper with more than one return, or a product of anything but two of its parameters.
    public func projectionHelperArguments(_ call: CallSite) -> (input: Node, weight: Node)? {
        guard call.receiver == nil, !call.hasSplat, let function = calledFunction(call), enclosingClass(function.node) == nil,
              case let returned = returnedValues(function), returned.count == 1 else { return nil }
        let product = unwrapped(returned[0])
        var operands: (Node, Node)?
        if product.type == "call", case let linear = callSite(product), linear.torchCallee == "torch.nn.functional.linear",
           let input = linear.argument("input", position: 0), let weight = linear.argument("weight", position: 1) {
            operands = (input, weight)
        } else {
            operands = matmulOperands(product)
        }
        guard let (left, right) = operands else { return nil }
        // The weight as handed in, less a transpose (`w.T`, `w.t()`).
        var weight = unwrapped(right)
        if weight.type == "attribute", ["T", "mT"].contains(weight.child(byField: "attribute")?.text ?? ""),
           let object = weight.child(byField: "object") {
            weight = unwrapped(object)
        } else if weight.type == "call", case let transpose = callSite(weight), transpose.name == "t", transpose.positional.isEmpty,
                  let receiver = transpose.receiver {
            weight = unwrapped(receiver)
        }
        let input = unwrapped(left)
        let parameters = function.passedParameters
        guard input.type == "identifier", weight.type == "identifier", input.text != weight.text,
              let inputIndex = parameters.firstIndex(of: input.text), let weightIndex = parameters.firstIndex(of: weight.text),
              parameterOwner(of: input)?.node == function.node,
              let passedInput = call.argument(input.text, position: inputIndex),
              let passedWeight = call.argument(weight.text, position: weightIndex) else { return nil }
        return (passedInput, passedWeight)
    }
}

extension PythonFacts {
    /// For `einops.reduce(t, "b h t c -> b h t 1", "mean")` (the reduction also by keyword, `reduction="sum"`; pattern
    /// and reduction also held by names, `reduce(x, PER_HEAD, "mean")`): the
    /// reduction's name and whether it reduces the input's last axis alone, the others kept in order (`... c -> ... 1`,
    /// `b t d -> b t ()`, `b t d -> b t`). Nil for any other call or a pattern it cannot read.
    public func einopsReduction(_ node: Node) -> (reduction: String, lastAxisOnly: Bool)? {
        guard node.type == "call", case let call = callSite(node), call.callee == "einops.reduce",
              let pattern = einopsPattern(call),
              let reduction = call.argument("reduction", position: 2).flatMap({ string(of: $0) }) else { return nil }
        return (reduction, pattern.reducesLastAxisOnly)
    }
}
