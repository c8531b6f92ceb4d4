import Parsing
import TreeSitterKit

/// `muon_update_scale_sqrt_max_dim`: each orthogonalized update is multiplied by sqrt(max(rows, cols)).
///
/// Requires, in the code of an orthogonalizing optimizer (a class whose `step` orthogonalizes, or a functional
/// update; what they call included; for a chain of transformations, the links from the orthogonalizing one on, see
/// `PythonFacts.orthogonalizedUpdateScopes`), the square root (`** 0.5`, `math.sqrt`, `torch.sqrt`, `.sqrt()`) of the
/// maximum of the matrix's two dimensions (`max(g.size(0), g.size(1))`, `max(p.shape)`, `max(rows, cols)` with
/// `rows, cols = p.shape`, the conditional `rows if rows > cols else cols`, directly or through a local), applied to the update: multiplied into it (`g *= ...`, `upd * (0.2 * ...)`), passed as
/// or inside `alpha=` / an in-place update's argument (also of its multi-tensor form: `torch._foreach_mul_(updates,
/// gains)` with `gains = [math.sqrt(max(u.shape)) for u in updates]`), handed to a helper of the file or a kernel that
/// multiplies it into a tensor it loads (`apply_(p, upd, lr, gain)` launching a kernel storing `p - (lr * gain) * u`,
/// see `PythonFacts.passesScale`), or through a local used that way. A constant factor in
/// front counts, and so does a helper function returning the scale that is applied where it is called (also when
/// the helper takes the shape, or the two dimensions, as parameters). Rejects `sqrt(max(1, rows / cols))` (aspect-ratio scaling), `sqrt(min(...))`, a max that mixes in a
/// constant, and a value computed but only stored (diagnostics). Examples:
/// `queries/python/muon_update_scale_sqrt_max_dim/examples/`.
struct MuonUpdateScaleSqrtMaxDim: Detector {
    let id = "muon_update_scale_sqrt_max_dim"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        // `torch.optim.Muon(..., adjust_lr_fn="match_rms_adamw")`: 0.2 * sqrt(max(A, B)) (see `LibraryMuon.swift`).
        var evidence = facts.libraryMuons(scaling: .rmsMatched).map {
            facts.evidence($0.call.node, "library Muon scaling each update by 0.2 * sqrt(max(rows, cols))")
        }
        var seen = Set<Node>()
        for scope in facts.orthogonalizedUpdateScopes {
            var region = facts.functions.filter { facts.isInside($0.node, scope) }
            for f in region { region += facts.reachableFunctions(from: f).filter { r in !region.contains { $0.node == r.node } } }
            for function in region where seen.insert(function.node).inserted {
                for node in facts.descendants(of: function.node) where isSqrtOfMaxDim(node, facts) && isApplied(node, facts, depth: 0) {
                    evidence.append(facts.evidence(node, "orthogonalized update scaled by sqrt(max(rows, cols))"))
                }
            }
        }
        return evidence
    }

    /// `max(...) ** 0.5`, `pow(max(...), 0.5)`, `math.sqrt(max(...))`, `torch.tensor(max(...)).sqrt()` over the two
    /// dimensions.
    func isSqrtOfMaxDim(_ node: Node, _ facts: PythonFacts) -> Bool {
        var operand: Node?
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "**",
           let right = node.child(byField: "right"), facts.value(of: right)?.double == 0.5 {
            operand = node.child(byField: "left")
        } else if node.type == "call" {
            let call = facts.callSite(node)
            if ["math.sqrt", "torch.sqrt", "numpy.sqrt"].contains(call.callee) { operand = call.positional.first }
            if call.name == "sqrt", let receiver = call.receiver, call.positional.isEmpty { operand = receiver }
            // pow(max(...), 0.5), math.pow(...), torch.pow(...), t.pow(0.5)
            if ["pow", "math.pow", "torch.pow"].contains(call.callee), call.positional.count == 2,
               facts.value(of: call.positional[1])?.double == 0.5 { operand = call.positional[0] }
            if call.name == "pow", let receiver = call.receiver, call.positional.count == 1,
               facts.value(of: call.positional[0])?.double == 0.5 { operand = receiver }
        }
        return operand.map { isMaxOfDimensions($0, facts, depth: 0) } ?? false
    }

    /// The larger of the matrix's two dimensions: `max(rows, cols)`, `max(g.shape)`, the conditional `rows if rows >
    /// cols else cols` (either comparison), through `float(...)` / `int(...)` / `torch.tensor(...)`, or a local name set
    /// to one of them (`big = m if m > n else n`).
    func isMaxOfDimensions(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        var inner = facts.unparenthesized(node)
        // float(max(...)), torch.tensor(max(...)), int(...)
        while inner.type == "call", ["float", "int", "torch.tensor"].contains(facts.callSite(inner).callee),
              let argument = facts.callSite(inner).positional.first {
            inner = facts.unparenthesized(argument)
        }
        switch inner.type {
        case "call":
            let call = facts.callSite(inner)
            guard call.callee == "max" else { return false }
            if let arguments = inner.child(byField: "arguments"), arguments.namedChildren.count == 1,
               let only = arguments.namedChildren.first {
                return isShape(only.type == "list_splat" ? (only.namedChildren.first ?? only) : only, facts)
            }
            return call.positional.count == 2 && call.positional.allSatisfy { isDimension($0, facts, depth: 0) }
        case "conditional_expression":
            return conditionalMaximum(inner, facts)
        case "identifier":
            guard depth < 3, let value = facts.latestValue(of: inner.text, before: inner), value != inner else { return false }
            return isMaxOfDimensions(value, facts, depth: depth + 1)
        default:
            return false
        }
    }

    /// `a if a > b else b` (or `>=`), `b if a < b else a` (or `<=`), with a and b the two dimensions.
    func conditionalMaximum(_ node: Node, _ facts: PythonFacts) -> Bool {
        let parts = node.namedChildren.filter { $0.type != "comment" }
        guard parts.count == 3 else { return false }
        let chosen = facts.compact(parts[0]), condition = facts.unparenthesized(parts[1]), other = facts.compact(parts[2])
        guard condition.type == "comparison_operator", condition.namedChildCount == 2,
              let left = condition.namedChild(0), let right = condition.namedChild(1),
              let op = condition.children.first(where: { !$0.isNamed })?.type else { return false }
        let l = facts.compact(left), r = facts.compact(right)
        let larger: Bool
        switch op {
        case ">", ">=": larger = chosen == l && other == r
        case "<", "<=": larger = chosen == r && other == l
        default: return false
        }
        return larger && isDimension(parts[0], facts, depth: 0) && isDimension(parts[2], facts, depth: 0)
    }

    /// `p.shape`, `p.size()`, `(rows, cols)` of dimensions.
    func isShape(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let n = facts.unparenthesized(node)
        if n.type == "attribute", n.child(byField: "attribute")?.text == "shape" { return true }
        // A helper's parameter that its callers pass a shape (`def gain(shape): rows, cols = shape[0], shape[1]`).
        if n.type == "identifier", depth < 2 {
            return facts.parameterArguments(of: n, flow: facts.dataflow).contains { isShape($0, facts, depth: depth + 1) }
        }
        // The last two dimensions: `g.shape[-2:]`, `g.size()[-2:]`.
        if n.type == "subscript", let value = n.child(byField: "value"), n.child(byField: "subscript")?.type == "slice" {
            return isShape(value, facts)
        }
        if n.type == "call", let receiver = facts.callSite(n).receiver,
           facts.callSite(n).name == "size", receiver.type != "none",
           facts.callSite(n).positional.isEmpty { return true }
        if ["tuple", "list"].contains(n.type) { return n.namedChildren.count == 2 && n.namedChildren.allSatisfy { isDimension($0, facts, depth: 0) } }
        return false
    }

    /// One dimension of a matrix: `g.size(0)`, `g.shape[-1]`, `g.size()[1]`, or a name unpacked from / set to one.
    func isDimension(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool {
        let n = facts.unparenthesized(node)
        switch n.type {
        case "call":
            let call = facts.callSite(n)
            return call.name == "size" && call.receiver != nil && call.positional.count == 1
        case "subscript":
            guard let value = n.child(byField: "value") else { return false }
            return isShape(value, facts)
        case "identifier":
            guard depth < 2 else { return false }
            for assignment in facts.assignments(around: n) where assignment.type == "assignment" && assignment.endByte <= n.startByte {
                guard let left = assignment.child(byField: "left"), let right = assignment.child(byField: "right") else { continue }
                if ["pattern_list", "tuple_pattern"].contains(left.type), left.namedChildren.contains(where: { $0.text == n.text }) {
                    if isShape(right, facts) { return true }
                    let values = right.namedChildren
                    if let index = left.namedChildren.firstIndex(where: { $0.text == n.text }), ["tuple", "expression_list"].contains(right.type),
                       index < values.count, isDimension(values[index], facts, depth: depth + 1) { return true }
                }
                if left.type == "identifier", left.text == n.text, isDimension(right, facts, depth: depth + 1) { return true }
            }
            // A helper's parameter (`def rms_scale(m, n): return math.sqrt(max(m, n))`): a dimension when every call
            // that passes it passes one (`rms_scale(m, n)` with `m, n = g.shape`; a spread `*g.shape` passes none).
            let passed = facts.parameterArguments(of: n, flow: facts.dataflow)
            return !passed.isEmpty && passed.allSatisfy { isDimension($0, facts, depth: depth + 1) }
        default:
            return false
        }
    }

    /// Whether a scale reaches the update (see `PythonFacts.scalesUpdate`).
    func isApplied(_ node: Node, _ facts: PythonFacts, depth: Int) -> Bool { facts.scalesUpdate(node, depth: depth) }
}
