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

    /// The terms of one side of an einops pattern, each the list of its axis names: `"(qkv d) n"` is
    /// `[["qkv", "d"], ["n"]]` (a name outside parentheses is a term of its own; `...` is dropped). nil for unbalanced
    /// or nested parentheses.
    static func einopsTerms(_ side: String) -> [[String]]? {
        var terms: [[String]] = [], group: [String]? = nil
        let spaced = side.replacingOccurrences(of: "(", with: " ( ").replacingOccurrences(of: ")", with: " ) ")
        for token in spaced.split(separator: " ").map(String.init) where token != "..." {
            switch token {
            case "(":
                guard group == nil else { return nil }
                group = []
            case ")":
                guard let g = group else { return nil }
                terms.append(g)
                group = nil
            default:
                if group != nil { group?.append(token) } else { terms.append([token]) }
            }
        }
        return group == nil ? terms : nil
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
            guard call.callee == "einops.rearrange" || call.receiver == nil,
                  let pattern = call.argument("pattern", position: 1).flatMap({ string(of: $0) }) else { return nil }
            let sides = pattern.components(separatedBy: "->")
            guard sides.count == 2, let input = Self.einopsTerms(sides[0]), let output = Self.einopsTerms(sides[1]),
                  let group = input.first, group.count >= 2, output.first == [group[0]] else { return nil }
            let axis = group[0]
            return Double(axis) ?? call.keywords[axis].flatMap { value(of: $0)?.double }
        default:
            return nil
        }
    }
}
