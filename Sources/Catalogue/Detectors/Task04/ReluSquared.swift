import Parsing
import SourceModel
import TreeSitterKit

/// `relu_squared`: the MLP activation is the square of a ReLU, in any spelling.
///
/// Read on the normalized tree, where every square is `torch.square(...)` and every ReLU `torch.relu(...)`:
/// a square whose operand is a ReLU (directly, or through a local name assigned from one, or through a module
/// attribute set to `nn.ReLU()`); `clamp(min=0)` / `clamp_min(0)` / `tl.maximum(x, 0)` / `torch.maximum(x,
/// torch.zeros_like(x))` count as a ReLU, so a
/// Triton kernel that squares `tl.maximum(x, 0)` or `tl.where(x > 0, x, 0)` is found too; `torch.where(x > 0, x * x, 0)` and `x * relu(x)`
/// count as well. The
/// function holding it must be used (called, launched, instantiated) or be a `forward`. A squared ReLU of attention
/// scores (`q @ k^T`, a softmax replacement) is not the MLP activation. In-place spellings count too: `h.relu_()` (or
/// `h = F.relu(h)`) followed by `h *= h`, `h.mul_(h)`, `h.square_()` or `h.pow_(2)`; and modules composed in order,
/// `nn.Sequential(nn.ReLU(), Square())` with a module of the file that squares its input (also a generic power module
/// built with exponent 2, `Power(2)` whose forward is `torch.pow(x, self.exponent)`). A call of a function of the file
/// that returns a ReLU counts as one (`act(h).square()`), also the decorated function a decorator's wrapper calls
/// (`@squared` whose wrapper returns `fn(*args, **kwargs).square()`), and a library ReLU under a name bound to it
/// (`relu = F.relu`, also a local of a builder function; see `PythonFacts.aliasedCallee(ofNormalized:)`).
/// The `transformers` library's squared ReLU counts when the file calls it: `ACT2FN["relu2"]` (the key decided),
/// `get_activation("relu2")`, `ReLUSquaredActivation()`.
/// A square that only feeds a statistic (reduced where it stands, or kept in a local that is only ever reduced,
/// see `onlySummarized`) is not the activation. Examples: `queries/python/relu_squared/examples/`.
struct ReluSquared: Detector {
    let id = "relu_squared"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let tree = facts.normalized
        // Attention scores: a product with a transposed tensor that is no model weight (`q @ k.transpose(-2, -1)`).
        let model = facts.model()
        let scores = facts.nodes(ofType: ["binary_operator", "call"]).filter { n in
            facts.matmulOperands(n).map { facts.transposedFactor(n, $0.1) != nil } == true
                && model.projectionOwner(n) == nil
        }
        var evidence: [Evidence] = []
        func used(_ range: Range<Int>) -> Bool {
            facts.functions.first(where: { $0.node.byteRange.contains(range.lowerBound) }).map(facts.mayRun) ?? true
        }
        for square in tree.calls(to: ["torch.square"]) {
            guard let operand = tree.arguments(square).first, isReLU(operand, facts, depth: 0), used(tree.byteRange[square]) else { continue }
            // Squared ReLU of attention scores (a softmax replacement) is not the MLP activation.
            if appliedToScores(tree.byteRange[operand], scores, facts) { continue }
            // Squared only for a statistic (`energy = h.square()`, then only `energy.mean()` is kept).
            let range = tree.byteRange[square]
            if let original = facts.nodes.first(where: { $0.byteRange == range }), onlySummarized(original, facts) { continue }
            evidence.append(facts.evidence(normalized: square, "squared ReLU"))
        }
        // The `transformers` squared ReLU by name (`ACT2FN["relu2"]`), held and called (see `LibraryActivations.swift`).
        for lookup in facts.librarySquaredReLUs where used(lookup.byteRange) {
            evidence.append(facts.evidence(lookup, "squared ReLU (transformers \"relu2\")"))
        }
        // In place: `h.relu_()` (or `h = F.relu(h)`), then `h *= h`, `h.mul_(h)`, `h.square_()`, `h.pow_(2)`.
        for (square, name) in inPlaceSquares(facts) where used(square.byteRange) && rectified(name, before: square, facts) {
            if !appliedToScores(square.byteRange, scores, facts) { evidence.append(facts.evidence(square, "squared ReLU, in place")) }
        }
        // h * relu(h) (or relu(h) * h): h squared where positive, zero elsewhere.
        for node in facts.nodes(ofType: "binary_operator") where node.child(byField: "operator")?.type == "*" {
            guard let l = node.child(byField: "left"), let r = node.child(byField: "right") else { continue }
            for (plain, rectifiedSide) in [(l, r), (r, l)] {
                let call = facts.unparenthesized(rectifiedSide)
                guard call.type == "call", ["relu", "relu_"].contains(facts.callSite(call).name),
                      let operand = facts.callSite(call).positional.first ?? facts.callSite(call).receiver,
                      facts.compact(operand) == facts.compact(facts.unparenthesized(plain)),
                      used(node.byteRange), !appliedToScores(node.byteRange, scores, facts), !onlySummarized(node, facts) else { continue }
                evidence.append(facts.evidence(node, "squared ReLU (h * relu(h))"))
                break
            }
        }
        // torch.where(h > 0, h * h, 0): the square where positive, zero elsewhere.
        for call in facts.calls where call.callee == "torch.where" && call.positional.count == 3 && used(call.node.byteRange) {
            if squareWherePositive(call, facts), !appliedToScores(call.node.byteRange, scores, facts) {
                evidence.append(facts.evidence(call.node, "squared ReLU (square where positive, else 0)"))
            }
        }
        // nn.Sequential(nn.ReLU(), Square()): a ReLU module followed by a module of the file that squares its input.
        for call in facts.calls(named: "Sequential") where used(call.node.byteRange) {
            let layers = call.positional.map(facts.unparenthesized)
            guard zip(layers, layers.dropFirst()).contains(where: { isReLUModule($0, facts) && isSquaringModule($1, facts) }) else { continue }
            // Held by a module (`self.act = nn.Sequential(...)`): it counts where the module calls it, not on scores.
            if let assignment = call.node.parent, assignment.type == "assignment", assignment.child(byField: "right") == call.node,
               let target = assignment.child(byField: "left"), target.type == "attribute" {
                let owner = facts.enclosingClass(call.node)?.node
                let applied = facts.calls(withCallee: target.text).filter { facts.enclosingClass($0.node)?.node == owner && $0.node != call.node }
                guard applied.contains(where: { !appliedToScores($0.node.byteRange, scores, facts) }) else { continue }
            }
            evidence.append(facts.evidence(call.node, "squared ReLU (a ReLU module, then a squaring module)"))
        }
        return evidence
    }

    /// The reductions that turn an activation into a statistic.
    static let reductions: Set<String> = ["mean", "sum", "norm", "item", "max", "min", "std", "var", "amax", "amin", "count_nonzero"]
    /// Methods that keep an activation's values as they are (a reduction may follow them).
    static let valueKeeping: Set<String> = ["detach", "float", "double", "clone", "cpu", "flatten", "view", "reshape"]

    /// Whether a squared ReLU only feeds a statistic, not the next layer: reduced where it stands (`h.square().mean()`,
    /// also after `.detach()` / `.float()`), or bound to a local of a function whose every read sees this value and
    /// is itself only reduced (`energy = h.square()`, then `self.stats["e"] = energy.mean().detach()`). A local never
    /// read again feeds nothing either. Anything else (returned, handed to a projection, stored whole) feeds the model.
    func onlySummarized(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        guard depth < 4 else { return false }
        var top = node
        while let parent = top.parent, parent.type == "parenthesized_expression" { top = parent }
        // A method chain on the value: value-keeping steps, then a reduction.
        var current = top
        while let attribute = current.parent, attribute.type == "attribute", attribute.child(byField: "object") == current,
              let call = attribute.parent, call.type == "call", call.child(byField: "function") == attribute,
              let method = attribute.child(byField: "attribute")?.text {
            if Self.reductions.contains(method) { return true }
            guard Self.valueKeeping.contains(method) else { return false }
            current = call
        }
        // A library reduction of it (`torch.mean(h.square())`).
        if let arguments = current.parent, arguments.type == "argument_list", let call = arguments.parent, call.type == "call",
           arguments.namedChildren.first == current {
            let site = facts.callSite(call)
            if site.callee.hasPrefix("torch."), Self.reductions.contains(site.name) { return true }
        }
        // Bound to a local: every read of this value only reduced.
        guard let assignment = current.parent, assignment.type == "assignment", assignment.child(byField: "right") == current,
              let target = assignment.child(byField: "left"), target.type == "identifier",
              let function = facts.enclosingFunction(assignment) else { return false }
        let reads = facts.uses(of: target.text, in: function.node).filter { n in
            n.startByte > assignment.endByte && facts.isRead(n) && facts.latestValue(of: target.text, before: n) == current
        }
        return reads.allSatisfy { onlySummarized($0, facts, depth: depth + 1) }
    }

    /// `nn.ReLU()` (any import spelling).
    func isReLUModule(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "call" else { return false }
        return PythonFacts.functionalModules[facts.callSite(node).callee] == "torch.nn.functional.relu"
    }

    /// A module of the file built here whose `forward` returns its input squared (`return x.square()`, `x * x`).
    func isSquaringModule(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "call", let owner = facts.boundClass(named: facts.callSite(node).callee),
              let forward = facts.forwardMethods(of: owner).first,
              let input = forward.parameters.first(where: { $0 != "self" }) else { return false }
        return facts.returnedValues(forward).contains { returned in
            // `y = t * t; return y`: the value the name was computed into.
            var value = facts.unparenthesized(returned)
            if value.type == "identifier", let bound = facts.latestValue(of: value.text, before: value) { value = facts.unparenthesized(bound) }
            if poweredByConstructedTwo(value, input: input, owner: owner, construction: facts.callSite(node), facts) { return true }
            guard let square = facts.normalizedNode(for: value), facts.normalized.callee(square) == "torch.square",
                  let base = facts.normalized.arguments(square).first else { return false }
            return facts.text(ofNormalized: base).filter { !$0.isWhitespace } == input
        }
    }

    /// `torch.pow(x, self.exponent)`, `x ** self.p`, `x.pow(self.p)` with the exponent a field that `__init__` sets from
    /// a parameter this construction gives 2 (`Power(2)` for a generic power module).
    func poweredByConstructedTwo(_ value: Node, input: String, owner: PythonFacts.Class, construction: CallSite,
                                 _ facts: PythonFacts) -> Bool {
        let base: Node?, exponent: Node?
        if value.type == "binary_operator", value.child(byField: "operator")?.type == "**" {
            base = value.child(byField: "left"); exponent = value.child(byField: "right")
        } else if value.type == "call", facts.callSite(value).name == "pow" {
            let call = facts.callSite(value)
            if let receiver = call.receiver, call.positional.count == 1 {
                base = receiver; exponent = call.positional[0]
            } else if call.positional.count == 2 {
                base = call.positional[0]; exponent = call.positional[1]
            } else {
                return false
            }
        } else {
            return false
        }
        guard let base, let exponent = exponent.map(facts.unparenthesized), facts.compact(facts.unparenthesized(base)) == input,
              exponent.type == "attribute", exponent.child(byField: "object")?.text == "self",
              let field = exponent.child(byField: "attribute")?.text, let initializer = facts.initializer(of: owner) else { return false }
        for assignment in facts.descendants(of: initializer.node) where assignment.type == "assignment" {
            guard assignment.child(byField: "left")?.text == "self." + field,
                  let right = assignment.child(byField: "right").map(facts.unparenthesized) else { continue }
            let source = right.type == "identifier" && initializer.parameters.contains(right.text)
                ? facts.boundArgument(right.text, of: initializer, at: construction) : right
            return source.flatMap { facts.value(of: $0)?.double } == 2
        }
        return false
    }

    /// Statements squaring a name in place, with the name: `h *= h`, `h.mul_(h)`, `h.square_()`, `h.pow_(2)`.
    func inPlaceSquares(_ facts: PythonFacts) -> [(Node, String)] {
        var result: [(Node, String)] = []
        for node in facts.nodes(ofType: "augmented_assignment") {
            guard node.child(byField: "operator")?.type == "*=", let left = node.child(byField: "left"), left.type == "identifier",
                  let right = node.child(byField: "right").map(facts.unparenthesized), right.type == "identifier", right.text == left.text
            else { continue }
            result.append((node, left.text))
        }
        for call in facts.calls {
            guard let receiver = call.receiver, receiver.type == "identifier" else { continue }
            switch call.name {
            case "square_" where call.positional.isEmpty:
                result.append((call.node, receiver.text))
            case "mul_" where call.positional.count == 1 && facts.unparenthesized(call.positional[0]).text == receiver.text:
                result.append((call.node, receiver.text))
            case "pow_" where call.positional.count == 1 && facts.value(of: call.positional[0])?.double == 2:
                result.append((call.node, receiver.text))
            default:
                continue
            }
        }
        return result
    }

    /// Whether `name` holds a ReLU of itself when `square` runs: rectified in place by a statement before it in the
    /// same function (`h.relu_()`, `F.relu_(h)`, `F.relu(h, inplace=True)`, `h.clamp_(min=0)`) with no assignment
    /// of the name in between, or last assigned from a ReLU (`h = F.relu(h)`).
    func rectified(_ name: String, before square: Node, _ facts: PythonFacts) -> Bool {
        guard let function = facts.enclosingFunction(square) else { return false }
        let latest = facts.latestValue(of: name, before: square)
        if let value = latest.map(facts.unparenthesized), value.type == "call" {
            let call = facts.callSite(value)
            if ["relu", "relu_"].contains(call.name) { return true }
        }
        let assignedAt = latest?.startByte ?? function.node.startByte
        return facts.calls.contains { call in
            guard facts.isInside(call.node, function.node), call.node.startByte > assignedAt, call.node.endByte < square.startByte,
                  call.node.parent?.type == "expression_statement" else { return false }
            if let receiver = call.receiver, receiver.type == "identifier", receiver.text == name {
                return call.name == "relu_" || (call.name == "clamp_" && call.argument("min", position: 0).flatMap { facts.value(of: $0) }?.double == 0)
            }
            guard let first = call.positional.first, first.type == "identifier", first.text == name else { return false }
            if call.name == "relu_" { return true }
            return call.name == "relu" && call.keywords["inplace"].map(facts.isTruthy) == true
        }
    }

    /// `torch.where(x > 0, x * x, 0)` (also `x >= 0`, `0 < x`, a zero tensor `torch.zeros_like(x)` as the else).
    func squareWherePositive(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        let condition = facts.unparenthesized(call.positional[0])
        guard condition.type == "comparison_operator", condition.namedChildren.count == 2,
              let op = condition.children.first(where: { !$0.isNamed })?.type else { return false }
        let (a, b) = (condition.namedChildren[0], condition.namedChildren[1])
        let variable: Node
        if [">", ">="].contains(op), facts.value(of: b)?.double == 0 { variable = a }
        else if ["<", "<="].contains(op), facts.value(of: a)?.double == 0 { variable = b }
        else { return false }
        let otherwise = facts.unparenthesized(call.positional[2])
        let zero = facts.value(of: otherwise)?.double == 0
            || (otherwise.type == "call" && ["torch.zeros_like", "torch.zeros"].contains(facts.callSite(otherwise).callee))
        guard zero, let squared = facts.normalizedNode(for: facts.unparenthesized(call.positional[1])),
              facts.normalized.callee(squared) == "torch.square", let base = facts.normalized.arguments(squared).first else { return false }
        return facts.compact(variable) == String(facts.text(ofNormalized: base).filter { !$0.isWhitespace })
    }

    /// Whether the value at `range` is computed from attention scores (`q @ k^T`), directly or through local names.
    func appliedToScores(_ range: Range<Int>, _ scores: [Node], _ facts: PythonFacts) -> Bool {
        guard !scores.isEmpty, let start = facts.root.namedDescendant(for: range) else { return false }
        var work = [start], seen = Set<Node>()
        while let n = work.popLast(), seen.count < 32 {
            guard seen.insert(n).inserted else { continue }
            if scores.contains(where: { facts.isInside($0, n) }) { return true }
            for identifier in facts.descendants(of: n) where identifier.type == "identifier" {
                if let value = facts.latestValue(of: identifier.text, before: identifier), value != identifier { work.append(value) }
            }
        }
        return false
    }

    /// `where(x > 0, x, 0)` (or `0 < x`, `>=`): a ReLU written as a selection.
    func isWhereReLU(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        guard call.positional.count == 3, facts.value(of: call.positional[2])?.double == 0 else { return false }
        let condition = facts.unparenthesized(call.positional[0])
        guard condition.type == "comparison_operator" else { return false }
        let operands = condition.namedChildren
        let operators = condition.children.filter { !$0.isNamed }.map(\.type)
        guard operands.count == 2, operators.count == 1 else { return false }
        let variable: Node
        if [">", ">="].contains(operators[0]), facts.value(of: operands[1])?.double == 0 { variable = operands[0] }
        else if ["<", "<="].contains(operators[0]), facts.value(of: operands[0])?.double == 0 { variable = operands[1] }
        else { return false }
        return facts.compact(variable) == facts.compact(facts.unparenthesized(call.positional[1]))
    }

    /// Whether a normalized node computes max(x, 0).
    func isReLU(_ node: Int, _ facts: PythonFacts, depth: Int) -> Bool {
        let tree = facts.normalized
        guard depth < 4 else { return false }
        switch tree.callee(node) {
        case "torch.relu", "torch.nn.functional.relu6"?:
            return true
        case ".clamp_min"?, "torch.clamp_min"?:
            return tree.arguments(node).last.flatMap(tree.number) == 0
        case ".clamp"?, "torch.clamp"?:
            return tree.keyword("min", of: node).flatMap(tree.number) == 0
                || (tree.callee(node) == ".clamp" && tree.arguments(node).first.flatMap(tree.number) == 0)
        case "torch.where"?, "triton.language.where"?, "tl.where"?, "numpy.where"?:
            // where(x > 0, x, 0): x where positive, zero elsewhere.
            if let original = facts.root.namedDescendant(for: tree.byteRange[node]), original.type == "call",
               isWhereReLU(facts.callSite(original), facts) { return true }
        case "triton.language.maximum"?, "tl.maximum"?, "torch.maximum"?:
            // max(x, 0), also against a zero tensor: torch.maximum(x, torch.zeros_like(x)).
            return tree.arguments(node).contains { tree.number($0) == 0 || ["torch.zeros_like", "torch.zeros"].contains(tree.callee($0) ?? "") }
        default:
            break
        }
        // A library ReLU called through a name bound to it (`relu = F.relu`, a local of an enclosing function too):
        // the normalized tree keeps the name, the call site resolves it.
        if let callee = facts.aliasedCallee(ofNormalized: node),
           ["torch.relu", "torch.nn.functional.relu", "torch.nn.functional.relu6"].contains(callee) {
            return true
        }
        // A call of a module attribute set to nn.ReLU(): self.act(x).
        if let callee = tree.callee(node), callee.hasPrefix("self.") || !callee.contains("." as Character) {
            let name = callee.lastDottedComponent
            if facts.allSettings.settings(name).contains(where: { setting in
                setting.value.type == "call" && ["torch.nn.ReLU", "nn.ReLU"].contains(facts.callSite(setting.value).callee)
            }) { return true }
        }
        // A call of a function of the file each of whose returns is a ReLU (`act(h)` with `def act(x): return
        // F.relu(x)`), also the decorated function a decorator's wrapper calls (`fn(*args, **kwargs).square()` in
        // `squared`, applied as `@squared` to `def relu_sq(x): return F.relu(x)`; see `PythonFacts.targets(of:)`). Only
        // functions that may run count: a decorator applied to a function nothing calls squares nothing.
        if tree.callee(node) != nil, let original = facts.root.namedDescendant(for: tree.byteRange[node]), original.type == "call" {
            let targets = facts.targets(of: facts.callSite(original)).filter { facts.mayRun($0) }
            if !targets.isEmpty, targets.allSatisfy({ target in
                let returned = facts.returnedValues(target)
                return !returned.isEmpty && returned.allSatisfy { value in
                    facts.normalizedNode(for: facts.unparenthesized(value)).map { isReLU($0, facts, depth: depth + 1) } == true
                }
            }) { return true }
        }
        // A local name assigned from a ReLU in the same function: r = F.relu(x); r * r.
        if tree.kindName(node) == "identifier" {
            let name = tree.label[node]
            let function = facts.functions.first { $0.node.byteRange.contains(tree.byteRange[node].lowerBound) }
            // The value the name holds at this point: its last assignment that ends before the use.
            var latest: Int?
            for assignment in (0..<tree.count) where tree.kindName(assignment) == "assignment" {
                let parts = tree.children(of: assignment).map(Int.init)
                guard parts.count >= 2, tree.kindName(parts[0]) == "identifier", tree.label[parts[0]] == name,
                      tree.byteRange[assignment].upperBound <= tree.byteRange[node].lowerBound else { continue }
                if let function, !function.node.byteRange.contains(tree.byteRange[assignment].lowerBound) { continue }
                latest = parts[parts.count - 1]
            }
            if let latest, isReLU(latest, facts, depth: depth + 1) { return true }
        }
        return false
    }
}
