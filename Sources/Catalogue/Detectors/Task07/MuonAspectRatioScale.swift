import Parsing
import TreeSitterKit

/// `muon_aspect_ratio_scale`: Muon scales each orthogonalized update by sqrt(max(1, rows / cols)).
///
/// Requires, inside an orthogonalizing optimizer (a class whose `step` orthogonalizes, or a functional update),
/// a factor equal to sqrt(max(1, rows / cols)) with rows the first / second-to-last dimension and cols the second /
/// last (`size(0)`, `size(-2)`, `shape[0]`, names unpacked from `.shape`): `max(1, r / c) ** 0.5`,
/// `math.sqrt(max(1.0, r / c))`, `math.sqrt(max(r, c) / c)`, `(r / min(r, c)) ** 0.5`, `(r / c) ** 0.5 if r > c else 1`,
/// `a ** 0.5 if a > 1 else 1` and `(a if a > 1 else 1) ** 0.5` with `a = r / c`, `math.sqrt(aspect)` with `aspect = max(1, r / c)`,
/// `torch.clamp(torch.tensor(r / c), min=1).sqrt()`, the clamp also as a statement (`a = r / c` then `if a < 1: a = 1`,
/// see `clampedByStatement`); rows and cols may be fields of a tuple-like class built from the
/// shape (`self.rows`, `self.cols` of a NamedTuple made by `cls(*g.shape)`), and the factor may be a property read where
/// the update is scaled (`@property def gain(self): return max(1, self.rows / self.cols) ** 0.5`, then `update *
/// self.gain`).
/// The factor may sit in a lambda the optimizer calls through a name, also one a registry read with a decided key
/// selects (`scale_fn = UPDATE_SCALES[group["update_scale"]]` with `UPDATE_SCALES = {"tall": lambda r, c: max(1.0, r / c)
/// ** 0.5, ...}`), its parameters read from the calls (`scale_fn(g.size(0), g.size(1))`).
/// The factor must reach the update (multiplied in, in `alpha=`, through a local or a helper's return value; see
/// `scalesUpdate`): one only stored in the state or logged does not count. Rejects sqrt(max(rows, cols)), the inverted ratio
/// (cols / rows), and the ratio without the clamp at 1. A library Muon that applies this scaling counts: `torch.optim.Muon`
/// with `adjust_lr_fn` left at `None` or `"original"`, and the `muon` package's optimizers (not `"match_rms_adamw"`).
/// Examples: `queries/python/muon_aspect_ratio_scale/examples/`.
struct MuonAspectRatioScale: Detector {
    let id = "muon_aspect_ratio_scale"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        // A library Muon that scales this way (`torch.optim.Muon` by default, the `muon` package; see `LibraryMuon.swift`).
        if let library = facts.libraryMuons(scaling: .aspectRatio).first {
            return [facts.evidence(library.call.node, "library Muon scaling each update by sqrt(max(1, rows/cols))")]
        }
        for scope in facts.orthogonalizedUpdateScopes {
            // The optimizer's code and the helpers it calls (`alpha=-lr * tall_scale(p)`).
            var region = facts.functions.filter { facts.isInside($0.node, scope) }
            for f in region { region += facts.reachableFunctions(from: f).filter { r in !region.contains { $0.node == r.node } } }
            var nodes = region.isEmpty ? Array(facts.descendants(of: scope)) : region.flatMap { facts.descendants(of: $0.node) }
            // Lambdas it calls through a name (`scale_fn = SCALES[group["scale"]]`, then `scale_fn(r, c)`; see `calledLambda`).
            let lambdas = nodes.filter { $0.type == "call" }.compactMap { facts.calledLambda(facts.callSite($0)) }
            nodes += lambdas.flatMap { facts.descendants(of: $0) }
            for node in nodes where isAspectFactor(node, facts) && facts.scalesUpdate(node) {
                return [facts.evidence(node, "update scaled by sqrt(max(1, rows/cols))")]
            }
        }
        return []
    }

    /// sqrt(max(1, rows / cols)) in one of its spellings.
    func isAspectFactor(_ node: Node, _ facts: PythonFacts) -> Bool {
        switch node.type {
        case "binary_operator":
            // max(1, r / c) ** 0.5
            guard node.child(byField: "operator")?.type == "**", let exponent = node.child(byField: "right"),
                  facts.evaluate(exponent) == 0.5, let base = node.child(byField: "left") else { return false }
            return isClampedRatio(facts.unparenthesized(base), facts)
        case "call":
            let call = facts.callSite(node)
            if ["math.sqrt", "torch.sqrt", "numpy.sqrt"].contains(call.callee), let argument = call.positional.first {
                return isClampedRatio(facts.unparenthesized(argument), facts)
            }
            if call.name == "sqrt", let receiver = call.receiver, call.positional.isEmpty {
                return isClampedRatio(facts.unparenthesized(receiver), facts)
            }
            return false
        case "conditional_expression":
            // (r / c) ** 0.5 if r > c else 1
            let parts = node.namedChildren
            guard parts.count == 3 else { return false }
            for (root, other, tallWhenTrue) in [(parts[0], parts[2], true), (parts[2], parts[0], false)] {
                guard facts.evaluate(other) == 1, let ratio = sqrtOperand(root, facts), isRatio(ratio, facts) else { continue }
                if tallTest(parts[1], facts) == tallWhenTrue { return true }
            }
            return false
        default:
            return false
        }
    }

    /// The operand of `x ** 0.5` / `sqrt(x)`.
    func sqrtOperand(_ node: Node, _ facts: PythonFacts) -> Node? {
        let node = facts.unparenthesized(node)
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "**",
           let e = node.child(byField: "right"), facts.evaluate(e) == 0.5 {
            return node.child(byField: "left").map(facts.unparenthesized)
        }
        if node.type == "call" {
            let call = facts.callSite(node)
            if call.name == "sqrt" { return (call.positional.first ?? call.receiver).map(facts.unparenthesized) }
        }
        return nil
    }

    /// `max(1, r / c)`, `max(r / c, 1.0)`, `torch.clamp(torch.tensor(r / c), min=1)`, `(r / c).clamp(min=1)`,
    /// `max(r, c) / c` and `r / min(r, c)` (the same value), `a if a > 1 else 1` with `a = r / c`, and a local set to
    /// one of these.
    /// A clamp written as a statement: the name is set to the ratio, then reset to 1 by an `if` testing it below 1
    /// (`ratio = rows / cols` then `if ratio < 1.0: ratio = 1.0`); both values reach the use (see
    /// `Dataflow.reachingValues`).
    func clampedByStatement(_ name: Node, _ facts: PythonFacts) -> Bool {
        let values = facts.dataflow.reachingValues(of: name.text, before: name)
        guard values.count == 2, facts.evaluate(values[0]) == 1, isRatio(values[1], facts),
              let test = facts.ancestors(of: values[0]).first(where: { $0.type == "if_statement" })?.child(byField: "condition")
                .map(facts.unparenthesized), test.type == "comparison_operator" else { return false }
        let operands = test.namedChildren.map(facts.unparenthesized)
        let operators = test.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2, operators.count == 1 else { return false }
        if operands[0].text == name.text, facts.evaluate(operands[1]) == 1 { return ["<", "<="].contains(operators[0]) }
        if operands[1].text == name.text, facts.evaluate(operands[0]) == 1 { return [">", ">="].contains(operators[0]) }
        return false
    }

    func isClampedRatio(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let node = facts.unparenthesized(node)
        if node.type == "identifier", depth < 3, clampedByStatement(node, facts) { return true }
        if node.type == "identifier", depth < 3, let value = facts.latestValue(of: node.text, before: node) {
            return isClampedRatio(value, facts, depth: depth + 1)
        }
        if node.type == "conditional_expression" {
            // `a if a > 1 else 1` / `1 if a <= 1 else a`: the larger of a and 1.
            let parts = node.namedChildren
            guard parts.count == 3, let test = Optional(facts.unparenthesized(parts[1])), test.type == "comparison_operator" else { return false }
            let operands = test.namedChildren
            let operators = test.children.filter { !$0.isNamed }.map(\.type)
            guard operands.count == 2, operators.count == 1, facts.evaluate(operands[1]) == 1, isRatio(operands[0], facts) else { return false }
            let ratioWhenTrue = [">", ">="].contains(operators[0])
            let (ratioSide, oneSide) = ratioWhenTrue ? (parts[0], parts[2]) : (parts[2], parts[0])
            guard [">", ">=", "<", "<="].contains(operators[0]) else { return false }
            return facts.evaluate(oneSide) == 1 && facts.unparenthesized(ratioSide).text == facts.unparenthesized(operands[0]).text
        }
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "/",
           let l = node.child(byField: "left").map(facts.unparenthesized), let r = node.child(byField: "right"), dimension(r, facts) == 1,
           l.type == "call", ["max", "builtins.max"].contains(facts.callSite(l).callee) {
            let sides = facts.callSite(l).positional.compactMap { dimension($0, facts) }
            return sides.count == 2 && Set(sides) == [0, 1]
        }
        // rows / min(rows, cols): also max(1, rows / cols).
        if node.type == "binary_operator", node.child(byField: "operator")?.type == "/",
           let l = node.child(byField: "left"), dimension(l, facts) == 0,
           let r = node.child(byField: "right").map(facts.unparenthesized),
           r.type == "call", ["min", "builtins.min"].contains(facts.callSite(r).callee) {
            let sides = facts.callSite(r).positional.compactMap { dimension($0, facts) }
            return sides.count == 2 && Set(sides) == [0, 1]
        }
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        switch call.name {
        case "max", "maximum", "fmax":
            guard call.positional.count == 2 else { return false }
            let (a, b) = (call.positional[0], call.positional[1])
            return (facts.evaluate(a) == 1 && isRatio(b, facts)) || (facts.evaluate(b) == 1 && isRatio(a, facts))
        case "clamp", "clamp_min", "clip":
            guard let low = call.keywords["min"] ?? (call.receiver != nil ? call.positional.first : call.positional.dropFirst().first),
                  facts.evaluate(low) == 1, let value = call.receiver ?? call.positional.first else { return false }
            return isRatio(value, facts)
        default:
            return false
        }
    }

    /// rows / cols, also as `operator.truediv(*w.shape)` (through `torch.tensor(...)`, `float(...)` wrappers, or a local: `ratio = w.size(0) / w.size(1)`).
    func isRatio(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        var node = facts.unparenthesized(node)
        if node.type == "identifier", depth < 3, let value = facts.latestValue(of: node.text, before: node) {
            return isRatio(value, facts, depth: depth + 1)
        }
        while node.type == "call", let inner = facts.callSite(node).positional.first,
              ["torch.tensor", "float", "torch.as_tensor"].contains(facts.callSite(node).callee) {
            node = facts.unparenthesized(inner)
        }
        if node.type == "call", Self.divisions.contains(facts.callSite(node).callee) {
            // operator.truediv(r, c), torch.div(r, c), and operator.truediv(*w.shape) (rows over cols of a matrix).
            let arguments = facts.callSite(node).positional
            let written = node.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" } ?? []
            if written.count == 1, written[0].type == "list_splat", let shape = written[0].namedChildren.first.map(facts.unparenthesized) {
                // The shape in its own order: `w.shape`, `w.size()`, `w.shape[-2:]` (not `w.shape[::-1]`).
                if shape.type == "subscript" {
                    guard let slice = shape.child(byField: "subscript"), slice.type == "slice",
                          slice.text.replacingOccurrences(of: " ", with: "") == "-2:" else { return false }
                }
                // Of the matrix itself, not of its transpose (`w.T.shape`, `w.t().size()`, `w.mT.shape`).
                if isTransposed(shape, facts) { return false }
                return isShape(shape, facts)
            }
            return arguments.count == 2 && dimension(arguments[0], facts) == 0 && dimension(arguments[1], facts) == 1
        }
        guard node.type == "binary_operator", node.child(byField: "operator")?.type == "/",
              let l = node.child(byField: "left"), let r = node.child(byField: "right") else { return false }
        return dimension(l, facts) == 0 && dimension(r, facts) == 1
    }

    /// Division written as a call.
    static let divisions: Set<String> = ["operator.truediv", "operator.__truediv__", "torch.div", "torch.true_divide",
                                         "torch.divide", "numpy.divide", "numpy.true_divide"]

    /// `r > c` or `r / c > 1` (true), `r <= c` or `r / c <= 1` (false), also with the sides swapped (`c < r`,
    /// `1 < ratio` with `ratio = r / c`), else nil.
    func tallTest(_ node: Node, _ facts: PythonFacts) -> Bool? {
        let node = facts.unparenthesized(node)
        guard node.type == "comparison_operator" else { return nil }
        let operands = node.namedChildren
        let operators = node.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2, operators.count == 1 else { return nil }
        // Whether the left side is the larger one when the matrix is tall: the rows against the columns, or the
        // aspect ratio against 1.
        let rowsFirst: Bool
        if let a = dimension(operands[0], facts), let b = dimension(operands[1], facts), a != b {
            rowsFirst = a == 0
        } else if facts.evaluate(operands[1]) == 1, isRatio(operands[0], facts) {
            rowsFirst = true
        } else if facts.evaluate(operands[0]) == 1, isRatio(operands[1], facts) {
            rowsFirst = false
        } else {
            return nil
        }
        switch operators[0] {
        case ">", ">=": return rowsFirst
        case "<", "<=": return !rowsFirst
        default: return nil
        }
    }

    /// 0 for a row count (`size(0)`, `size(-2)`, `shape[0]`, `shape[-2]`, the first name unpacked from `.shape`, a
    /// helper's parameter every caller fills with one), 1 for a column count, nil otherwise.
    func dimension(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Int? {
        let node = facts.unparenthesized(node)
        func index(_ value: Node) -> Int? {
            guard let i = facts.evaluate(value) else { return nil }
            switch i {
            case 0, -2: return 0
            case 1, -1: return 1
            default: return nil
            }
        }
        if node.type == "call" {
            let call = facts.callSite(node)
            if call.name == "size", call.receiver != nil, let i = call.positional.first { return index(i) }
            if ["float", "int"].contains(call.callee), let inner = call.positional.first { return dimension(inner, facts, depth: depth) }
        }
        if node.type == "subscript", let value = node.child(byField: "value"), let i = node.child(byField: "subscript"),
           (value.type == "attribute" && value.child(byField: "attribute")?.text == "shape")
            || (value.type == "call" && facts.callSite(value).name == "size") {
            return index(i)
        }
        // A field of a tuple-like class (`self.rows` in `class MatrixShape(NamedTuple)`, see `positionalField`): what
        // every construction puts at its place, a shape spread in (`cls(*t.shape)`) giving the dimension there.
        if node.type == "attribute", depth < 3, let field = facts.positionalField(node) {
            let found = field.constructions.map { construction -> Int? in
                let written = construction.node.child(byField: "arguments")?.namedChildren.filter { $0.type != "comment" } ?? []
                if written.count == 1, written[0].type == "list_splat", let shape = written[0].namedChildren.first.map(facts.unparenthesized),
                   isShape(shape, facts), !isTransposed(shape, facts) {
                    return field.index < 2 ? field.index : nil
                }
                guard !construction.hasSplat, let name = node.child(byField: "attribute")?.text,
                      let given = construction.argument(name, position: field.index) else { return nil }
                return dimension(given, facts, depth: depth + 1)
            }
            if let first = found.first, let d = first, found.allSatisfy({ $0 == d }) { return d }
        }
        guard node.type == "identifier", depth < 3 else { return nil }
        // A parameter of a lambda called through a name (`scale_fn(g.size(0), g.size(1))`, see `binding(ofLambda:)`):
        // what every call passes for it.
        if facts.boundLambdaParameter(node) != nil {
            let passed = facts.callerArguments(of: node)
            let found = Set(passed.map { dimension($0, facts, depth: depth + 1) })
            if !passed.isEmpty, found.count == 1, let d = found.first { return d }
        }
        // A parameter of a helper (`def aspect_gain(rows, cols)`): what every caller passes for it.
        let flow = facts.dataflow
        for binding in flow.bindings(of: node.text, at: node) {
            let passed = flow.passedArguments(binding, name: node.text)
            let found = Set(passed.map { dimension($0, facts, depth: depth + 1) })
            if !passed.isEmpty, found.count == 1, let d = found.first { return d }
        }
        // rows, cols = w.shape / m, n = G.shape[-2:] / m = G.size(0)
        for assignment in facts.assignments(around: node) where assignment.type == "assignment" {
            for (position, bound) in facts.assignedNames(assignment).enumerated() where bound.name == node.text {
                if let value = bound.value, facts.assignedNames(assignment).count == 1 || value.type != "attribute" {
                    if let d = dimension(value, facts, depth: depth + 1) { return d }
                }
                if let left = assignment.child(byField: "left"), ["pattern_list", "tuple_pattern"].contains(left.type),
                   left.namedChildren.count == 2, let right = assignment.child(byField: "right"), isShape(right, facts) {
                    return position
                }
            }
        }
        return nil
    }

    /// Whether a shape is read off a transpose (`w.T.shape`, `w.t().size()`, `w.mT.shape`), not the matrix itself.
    func isTransposed(_ shape: Node, _ facts: PythonFacts) -> Bool {
        let transposes: Set<String> = ["T", "mT", "t", "transpose", "permute", "swapaxes", "mH", "H"]
        return facts.descendants(of: shape).contains { n in
            n.type == "attribute" && transposes.contains(n.child(byField: "attribute")?.text ?? "")
        }
    }

    /// `w.shape`, `w.size()`, `w.shape[-2:]`.
    func isShape(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "attribute", node.child(byField: "attribute")?.text == "shape" { return true }
        if node.type == "call", facts.callSite(node).name == "size", facts.callSite(node).positional.isEmpty { return true }
        if node.type == "subscript", let value = node.child(byField: "value") { return isShape(value, facts) }
        return false
    }
}
