import Parsing
import TreeSitterKit

/// `per_param_grad_normalization`: every parameter's gradient is divided by its own norm before the step.
///
/// Requires a gradient (`p.grad`, a name set to one, a loop variable over a list of them, or such a list) divided
/// by a norm of that same tensor: `p.grad = p.grad / (p.grad.norm() + eps)` (also through a name holding it, `g =
/// p.grad; p.grad = g / (g.norm() + eps)`), `g /= torch.linalg.vector_norm(g) + eps`,
/// `g.div_(g.norm().add(eps))`, `g.mul_(scale)` with `scale = 1 / (g.norm() + eps)`, the norm written out as the root
/// of a sum of squares (`torch.einsum("i,i->", g, g).sqrt()`, see `PythonFacts.writtenOutNormInput`), a norm kept per name in a
/// dictionary and read back in a loop over it (`for n, gn in norms.items(): p = named[n]; p.grad = p.grad / (gn + eps)`),
/// `g.copy_(F.normalize(g.flatten(), dim=0).view_as(g))`, or `torch._foreach_div_(grads, torch._foreach_norm(grads))`
/// (the list may be the leaves of a gradient pytree, `tree_leaves(grads)`, handed to a helper as a parameter), also
/// out of place when the result takes the list's place (`grads = torch._foreach_div(grads, norms)`, or returned by a
/// helper whose callers assign it back, `grads = unit_norm_grads(grads)`); gradients may come from `torch.autograd.grad`
/// or a gradient transform, also returned by a function of the file (`loss, grads = loss_and_grads(...)`);
/// in code that runs (module level, or a function that is
/// called); or fused into Triton kernels, a launch that stores the gradient times the reciprocal of its own norm (see
/// `PythonFacts.kernelNormalizedTensors`, the sum of squares taken in the kernel or by an earlier launch into a
/// buffer), or into CUDA kernels of a compiled extension that do the same (see
/// `PythonFacts.extensionNormalizedArguments`). Rejects global clipping (`clip_grad_norm_`), a division by one total norm over all parameters, by a
/// constant such as the accumulation count, the gradient of one named parameter (`head.weight.grad`), and a helper
/// nobody calls. Examples:
/// `queries/python/per_param_grad_normalization/examples/`.
struct PerParamGradNormalization: Detector {
    let id = "per_param_grad_normalization"
    static let norms: Set<String> = ["torch.norm", "torch.linalg.norm", "torch.linalg.vector_norm", "torch.linalg.matrix_norm"]

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for node in facts.nodes {
            guard let target = normalizedTarget(node, facts), isGradient(target, facts), !isOneNamedParameter(target, facts),
                  runs(node, facts) else { continue }
            evidence.append(facts.evidence(node, "gradient divided by its own norm"))
        }
        // Fused into kernels: a launch that rescales a gradient by the reciprocal of its own norm.
        for launch in facts.kernelLaunches where runs(launch.call.node, facts) {
            for tensor in facts.kernelNormalizedTensors(launch) {
                let viewed = viewedTensor(tensor, facts)
                guard isGradient(viewed, facts), !isOneNamedParameter(viewed, facts) else { continue }
                evidence.append(facts.evidence(launch.call.node, "gradient rescaled by its own norm in kernel `\(launch.kernel.name)`"))
            }
        }
        // In a compiled CUDA extension's kernels (see `PythonFacts.extensionNormalizedArguments`).
        if !facts.extensionModuleNames.isEmpty {
            for call in facts.calls where runs(call.node, facts) {
                for tensor in facts.extensionNormalizedArguments(call) {
                    let viewed = viewedTensor(tensor, facts)
                    guard isGradient(viewed, facts), !isOneNamedParameter(viewed, facts) else { continue }
                    evidence.append(facts.evidence(call.node, "gradient rescaled by its own norm in CUDA function `\(call.name)`"))
                }
            }
        }
        return evidence
    }

    /// The tensor a kernel argument views: a local followed to its value, then the receiver of shape-only methods
    /// (`flat = g.view(-1)` with `g = p.grad` is `p.grad`).
    func viewedTensor(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Node {
        var n = facts.unparenthesized(node)
        while n.type == "call", ["view", "reshape", "flatten", "contiguous", "ravel", "view_as", "reshape_as"].contains(facts.callSite(n).name),
              let receiver = facts.callSite(n).receiver {
            n = facts.unparenthesized(receiver)
        }
        guard depth < 3, n.type == "identifier", !facts.enclosingLoops(n).contains(where: { facts.loopVariables($0).contains(n.text) }),
              let value = facts.latestValue(of: n.text, before: n) else { return n }
        return viewedTensor(value, facts, depth: depth + 1)
    }

    /// The tensor an operation normalizes in place or by reassignment, if it divides it by its own norm.
    func normalizedTarget(_ node: Node, _ facts: PythonFacts) -> Node? {
        switch node.type {
        case "assignment":
            // g = g / (norm(g) + eps), g = g * (1 / (norm(g) + eps)); the source may be a local name holding the target
            // (`g = p.grad`, then `p.grad = g / (g.norm() + eps)`), its norm taken of either.
            guard let left = node.child(byField: "left"), let right = node.child(byField: "right").map(facts.unparenthesized),
                  right.type == "binary_operator", let op = right.child(byField: "operator")?.type,
                  let a = right.child(byField: "left"), let b = right.child(byField: "right") else { return nil }
            if op == "/", holds(a, left, facts), isNorm(of: left, b, facts) || isNorm(of: a, b, facts) { return left }
            if op == "*", holds(a, left, facts), isReciprocalNorm(of: left, b, facts) || isReciprocalNorm(of: a, b, facts) { return left }
            if op == "*", holds(b, left, facts), isReciprocalNorm(of: left, a, facts) || isReciprocalNorm(of: b, a, facts) { return left }
            return nil
        case "lambda":
            // `tree_map(lambda g: g / (g.norm() + eps), grads)`: each tensor of the list the lambda is mapped over.
            guard let body = node.child(byField: "body").map(facts.unparenthesized), body.type == "binary_operator",
                  let op = body.child(byField: "operator")?.type, let a = body.child(byField: "left").map(facts.unparenthesized),
                  let b = body.child(byField: "right"), a.type == "identifier", facts.mappedSequence(of: a) != nil else { return nil }
            if op == "/", isNorm(of: a, b, facts) { return a }
            if op == "*", isReciprocalNorm(of: a, b, facts) { return a }
            return nil
        case "list_comprehension":
            // `[g / (g.norm() + eps) for g in updates]`, its result taking the list's place: assigned back to the name
            // it walks (`grads = [...]`), or returned (a chain link's `update`, whose updates the next link receives).
            guard let body = node.child(byField: "body").map(facts.unparenthesized), body.type == "binary_operator",
                  let op = body.child(byField: "operator")?.type, let a = body.child(byField: "left").map(facts.unparenthesized),
                  let b = body.child(byField: "right"), a.type == "identifier",
                  let clause = node.namedChildren.first(where: { $0.type == "for_in_clause" }),
                  clause.child(byField: "left")?.text == a.text, let walked = clause.child(byField: "right") else { return nil }
            var holder = node.parent
            while let h = holder, ["tuple", "expression_list", "parenthesized_expression"].contains(h.type) { holder = h.parent }
            let assignedBack = holder?.type == "assignment" && holder?.child(byField: "left")?.text == walked.text
            guard assignedBack || holder?.type == "return_statement" else { return nil }
            if op == "/", isNorm(of: a, b, facts) { return a }
            if op == "*", isReciprocalNorm(of: a, b, facts) { return a }
            return nil
        case "augmented_assignment":
            // g /= norm(g) + eps, g *= 1 / (norm(g) + eps)
            guard let op = node.child(byField: "operator")?.type, let left = node.child(byField: "left"),
                  let right = node.child(byField: "right") else { return nil }
            if op == "/=", isNorm(of: left, right, facts) { return left }
            if op == "*=", isReciprocalNorm(of: left, right, facts) { return left }
            return nil
        case "call":
            let call = facts.callSite(node)
            if let receiver = call.receiver, call.name == "div_", let divisor = call.positional.first, isNorm(of: receiver, divisor, facts) {
                return receiver
            }
            // g.mul_(1 / (g.norm() + eps)), g.mul_(scale) with scale = (g.norm() + eps).reciprocal()
            if let receiver = call.receiver, call.name == "mul_", let factor = call.positional.first,
               isReciprocalNorm(of: receiver, factor, facts) {
                return receiver
            }
            if let receiver = call.receiver, call.name == "copy_", let source = call.positional.first,
               facts.descendants(of: source).contains(where: { n in
                   guard n.type == "call" else { return false }
                   let inner = facts.callSite(n)
                   return inner.callee == "torch.nn.functional.normalize" && inner.positional.first.map { rooted($0, in: receiver, facts) } == true
               }) {
                return receiver
            }
            if call.callee == "torch._foreach_div_", call.positional.count == 2,
               isForeachNorm(of: call.positional[0], call.positional[1], facts) {
                return call.positional[0]
            }
            // The out-of-place form, whose result takes the list's place (`grads = torch._foreach_div(grads, norms)`,
            // or returned by a helper whose callers assign it back, `grads = unit_norm_grads(grads)`).
            if call.callee == "torch._foreach_div", call.positional.count == 2,
               isForeachNorm(of: call.positional[0], call.positional[1], facts), replaces(node, call.positional[0], facts) {
                return call.positional[0]
            }
            return nil
        default:
            return nil
        }
    }

    /// Whether a value computed from `source` takes its place: assigned back to it (`grads = f(grads)`), or returned
    /// by a function whose parameter `source` is, every call of that function assigning the result back to what it
    /// passed (`grads = unit_norm_grads(grads)`). A result kept apart (`unit = ...`, logged) does not.
    func replaces(_ value: Node, _ source: Node, _ facts: PythonFacts) -> Bool {
        var node = value
        while let parent = node.parent, parent.type == "parenthesized_expression" { node = parent }
        guard let parent = node.parent else { return false }
        if parent.type == "assignment", parent.child(byField: "right") == node, let left = parent.child(byField: "left") {
            return same(left, source, facts)
        }
        guard parent.type == "return_statement", facts.unparenthesized(source).type == "identifier" else { return false }
        let bindings = facts.callerBindings(of: facts.unparenthesized(source))
        return !bindings.isEmpty && bindings.allSatisfy { binding in
            var call = binding.call.node
            while let up = call.parent, up.type == "parenthesized_expression" { call = up }
            guard let assignment = call.parent, assignment.type == "assignment", assignment.child(byField: "right") == call,
                  let left = assignment.child(byField: "left") else { return false }
            return same(left, binding.argument, facts)
        }
    }

    /// Whether two expressions name the same tensor (`p.grad.data` is `p.grad`).
    func same(_ a: Node, _ b: Node, _ facts: PythonFacts) -> Bool {
        func key(_ n: Node) -> String {
            var text = facts.compact(facts.unparenthesized(n))
            while text.hasSuffix(".data") { text.removeLast(5) }
            return text
        }
        return key(a) == key(b)
    }

    /// Whether `expression` holds the tensor `target`: the same expression, or a local name last set to it before
    /// (`g = p.grad` for `p.grad`). A name set to something else (`unit = g / g.norm()` stored apart) does not.
    func holds(_ expression: Node, _ target: Node, _ facts: PythonFacts) -> Bool {
        if same(expression, target, facts) { return true }
        let e = facts.unparenthesized(expression)
        guard e.type == "identifier", let value = facts.latestValue(of: e.text, before: e) else { return false }
        return same(value, target, facts)
    }

    /// Whether `expression` starts from the tensor `target` (`g.reshape(-1)` for `g`).
    func rooted(_ expression: Node, in target: Node, _ facts: PythonFacts) -> Bool {
        var current = facts.unparenthesized(expression)
        while true {
            if same(current, target, facts) { return true }
            guard current.type == "call", let f = current.child(byField: "function"), f.type == "attribute",
                  let object = f.child(byField: "object") else { return false }
            current = object
        }
    }

    /// Whether `expression` starts from the tensor `target`, also through a local name set to such a view (`g_flat =
    /// p.grad.reshape(-1)`).
    func rootedThroughName(_ expression: Node, in target: Node, _ facts: PythonFacts) -> Bool {
        if rooted(expression, in: target, facts) { return true }
        let e = facts.unparenthesized(expression)
        guard e.type == "identifier", let value = facts.latestValue(of: e.text, before: e) else { return false }
        return rooted(value, in: target, facts)
    }

    /// Whether `divisor` is the norm of `target` (plus an epsilon), directly or through a local name.
    func isNorm(of target: Node, _ divisor: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let d = facts.unparenthesized(divisor)
        switch d.type {
        case "binary_operator":
            guard d.child(byField: "operator")?.type == "+", let l = d.child(byField: "left"), let r = d.child(byField: "right") else { return false }
            return isNorm(of: target, l, facts, depth: depth) || isNorm(of: target, r, facts, depth: depth)
        case "call":
            let call = facts.callSite(d)
            if let receiver = call.receiver, ["add", "add_", "clamp", "clamp_min", "clamp_", "clamp_min_"].contains(call.name) {
                return isNorm(of: target, receiver, facts, depth: depth)
            }
            if let receiver = call.receiver, call.name == "norm" { return rooted(receiver, in: target, facts) }
            if Self.norms.contains(call.callee), let first = call.positional.first { return rooted(first, in: target, facts) }
            // Written out: the root of the sum of squares (`torch.einsum("i,i->", g_flat, g_flat).sqrt()`, `g_flat` a
            // view of the gradient).
            if let squared = facts.writtenOutNormInput(d) { return rootedThroughName(squared, in: target, facts) }
            return false
        case "identifier":
            guard depth < 2 else { return false }
            if let value = facts.latestValue(of: d.text, before: d) { return isNorm(of: target, value, facts, depth: depth + 1) }
            // The partner of the tensor in a walk over two lists side by side (`for g, n in zip(grads, norms)`) whose
            // list of norms is made from the same list (`norms = [g.norm() for g in grads]`): that tensor's own norm.
            if zippedNorm(d, of: target, facts) { return true }
            // A loop over a dictionary of norms made per parameter (`for n, gn in norms.items()` with `norms = {n:
            // p.grad.norm() for n, p in named.items()}`, the gradient divided being that name's, `p = named[n]`): the
            // norm the dictionary holds.
            return keptNorms(of: d, facts).contains { isNorm(of: target, $0, facts, depth: depth + 1) }
        default:
            return false
        }
    }

    /// For a name a loop unpacks from `zip(a, b, ...)` or `enumerate(a)` (`for g, n in zip(grads, norms)`): the loop's
    /// iterable and the list the name walks (see `Dataflow.iterationSource`). Nil for any other name.
    func zippedSource(of name: Node, _ facts: PythonFacts) -> (iterable: Node, source: Node)? {
        guard name.type == "identifier",
              let binding = facts.dataflow.bindings(of: name.text, at: name).first(where: { binding in
                  guard case .iteration(let index) = binding.kind, index != nil, case let walked = facts.unwrapped(binding.node),
                        walked.type == "call" else { return false }
                  return ["zip", "enumerate"].contains(facts.callSite(walked).callee)
              }) else { return nil }
        return (binding.node, facts.dataflow.iterationSource(binding))
    }

    /// Whether `divisor` is the partner of `target` in one zip walk (`for g, n in zip(grads, norms)`) whose list of
    /// divisors is a comprehension of the norms of the very list the target walks (`norms = [x.norm() for x in grads]`).
    func zippedNorm(_ divisor: Node, of target: Node, _ facts: PythonFacts) -> Bool {
        guard let walk = zippedSource(of: divisor, facts), let partner = zippedSource(of: facts.unparenthesized(target), facts),
              walk.iterable == partner.iterable, case let norms = facts.unparenthesized(walk.source), norms.type == "identifier",
              case let grads = facts.unparenthesized(partner.source), grads.type == "identifier",
              let made = facts.latestValue(of: norms.text, before: walk.iterable).map(facts.unparenthesized),
              ["list_comprehension", "generator_expression"].contains(made.type),
              case let clauses = made.namedChildren.filter({ $0.type == "for_in_clause" }), clauses.count == 1,
              let variable = clauses[0].child(byField: "left"), variable.type == "identifier",
              clauses[0].child(byField: "right").map(facts.unparenthesized)?.text == grads.text,
              let body = made.namedChildren.first, body.type != "for_in_clause" else { return false }
        return isNorm(of: variable, body, facts, depth: 2)
    }

    /// For the value variable of a loop over `d.items()`, the values a dictionary comprehension `d` computes (its body's
    /// value); empty otherwise.
    func keptNorms(of variable: Node, _ facts: PythonFacts) -> [Node] {
        for binding in facts.dataflow.bindings(of: variable.text, at: variable) {
            guard case .iteration(1) = binding.kind, let iterable = binding.site.child(byField: "right").map(facts.unwrapped),
                  iterable.type == "call", facts.callSite(iterable).name == "items", let table = facts.callSite(iterable).receiver,
                  table.type == "identifier", let made = facts.latestValue(of: table.text, before: table).map(facts.unwrapped),
                  made.type == "dictionary_comprehension", let value = made.child(byField: "body")?.child(byField: "value") else { continue }
            return [value]
        }
        return []
    }

    /// Whether `factor` is one over the norm of `target`: `1 / (norm + eps)`, `norm.reciprocal()`,
    /// `torch.reciprocal(norm)`, `norm ** -1`, directly or through a local name.
    func isReciprocalNorm(of target: Node, _ factor: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let f = facts.unparenthesized(factor)
        switch f.type {
        case "binary_operator":
            guard let op = f.child(byField: "operator")?.type, let l = f.child(byField: "left"), let r = f.child(byField: "right") else { return false }
            if op == "/" { return facts.value(of: l)?.double == 1 && isNorm(of: target, r, facts) }
            if op == "**" { return facts.value(of: r)?.double == -1 && isNorm(of: target, l, facts) }
            return false
        case "call":
            let call = facts.callSite(f)
            if let receiver = call.receiver, call.name == "reciprocal" { return isNorm(of: target, receiver, facts) }
            if call.callee == "torch.reciprocal", let first = call.positional.first { return isNorm(of: target, first, facts) }
            return false
        case "identifier":
            guard depth < 2, let value = facts.latestValue(of: f.text, before: f) else { return false }
            return isReciprocalNorm(of: target, value, facts, depth: depth + 1)
        default:
            return false
        }
    }

    /// `torch._foreach_div_(grads, norms)` with `norms = torch._foreach_norm(grads)` (eps added or not).
    func isForeachNorm(of list: Node, _ divisor: Node, _ facts: PythonFacts) -> Bool {
        var d = facts.unparenthesized(divisor)
        if d.type == "identifier", let value = facts.latestValue(of: d.text, before: d) { d = facts.unparenthesized(value) }
        guard d.type == "call" else { return false }
        let call = facts.callSite(d)
        if call.callee == "torch._foreach_add", let first = call.positional.first { return isForeachNorm(of: list, first, facts) }
        return call.callee == "torch._foreach_norm" && call.positional.first.map { same($0, list, facts) } == true
    }

    /// Whether a tensor is a gradient: `p.grad`, a name set to one, a list built from `.grad`s, the leaves of such a
    /// collection (`tree_leaves(grads)`, `list(grads)`), or a helper's parameter its callers give one of these.
    func isGradient(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        let n = facts.unparenthesized(node)
        if n.type == "attribute", n.child(byField: "attribute")?.text == "grad" { return true }
        if n.type == "attribute", n.child(byField: "attribute")?.text == "data", let object = n.child(byField: "object") {
            return isGradient(object, facts, depth: depth)
        }
        guard depth < 3, n.type == "identifier" else { return false }
        // A parameter of a lambda mapped over a list (`tree_map(lambda g: ..., grads)`): that list's elements.
        if let mapped = facts.mappedSequence(of: n) { return isGradient(mapped, facts, depth: depth + 1) }
        // What a link of a chain of transformations is handed to update (`def update(updates, state, params)`, see
        // `TransformChain`): the gradients for the first link, which `tx.update(grads, state, params)` runs first; the
        // updates of the links before it for any other.
        func handedToUpdate(_ link: TransformChain.Link) -> Bool {
            link.functions.contains { $0.passedParameters.first == n.text && facts.isInside(n, $0.node) }
        }
        if let chain = facts.transformChains.first(where: { $0.links.contains(where: handedToUpdate) }) {
            return chain.links.first.map(handedToUpdate) == true
        }
        // The variable of a comprehension over a list of gradients (`[g / (g.norm() + eps) for g in updates]`).
        if let walked = facts.dataflow.bindings(of: n.text, at: n).first(where: { binding in
            if case .iteration(nil) = binding.kind { return binding.site.type == "for_in_clause" }
            return false
        }), isGradient(walked.node, facts, depth: depth + 1) {
            return true
        }
        // `for g in grads:` over a list of gradients, also `for g, n in zip(grads, norms):` at the gradients' place.
        for loop in facts.enclosingLoops(n) where loop.type == "for_statement" && facts.loopVariables(loop) == [n.text] {
            if let iterable = loop.child(byField: "right"), isGradient(iterable, facts, depth: depth + 1) { return true }
        }
        if let walk = zippedSource(of: n, facts), isGradient(walk.source, facts, depth: depth + 1) { return true }
        // Also what a function of the file returns in its place (`loss, grads = loss_and_grads(...)`).
        let values = facts.localValues(of: n.text, around: n) + facts.allSettings.settings(n.text).map(\.value)
            + facts.unpackedReturns(of: n)
        func holdsGradients(_ value: Node) -> Bool {
            facts.descendants(of: value).contains { $0.type == "attribute" && $0.child(byField: "attribute")?.text == "grad" }
                || facts.descendants(of: value).contains { $0.type == "call" && facts.callSite($0).computesGradients && facts.callSite($0).name != "backward" }
                || (value.type == "identifier" && isGradient(value, facts, depth: depth + 1))
                || leavesOf(value, facts).map { isGradient($0, facts, depth: depth + 1) || holdsGradients($0) } == true
        }
        // A parameter of a helper (`def normalize(grads): ...`): what its callers pass.
        return values.contains(where: holdsGradients) || facts.callerArguments(of: n).contains(where: holdsGradients)
    }

    /// The collection whose elements a value lists unchanged: `list(gs)`, `tuple(gs)`, or a pytree's leaves
    /// (`tree_leaves(grads)`, `tree_flatten(grads)[0]`, a library's or the file's own helper of that name).
    func leavesOf(_ value: Node, _ facts: PythonFacts) -> Node? {
        var v = facts.unparenthesized(value)
        if v.type == "subscript", let inner = v.child(byField: "value"), let index = v.child(byField: "subscript"),
           facts.value(of: index)?.double == 0 {
            v = facts.unparenthesized(inner)
            guard v.type == "call", facts.callSite(v).name == "tree_flatten" else { return nil }
        }
        guard v.type == "call" else { return nil }
        let call = facts.callSite(v)
        guard call.receiver == nil, ["list", "tuple", "tree_leaves", "tree_flatten"].contains(call.name) else { return nil }
        return call.positional.first
    }

    /// Whether the normalized gradient is that of one parameter named in the code (`head.weight.grad`, or a local set
    /// to it) rather than each parameter in turn: normalizing a single tensor is not per-parameter normalization.
    func isOneNamedParameter(_ target: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        var n = facts.unparenthesized(target)
        if n.type == "identifier", depth < 2 {
            if !facts.enclosingLoops(n).filter({ facts.loopVariables($0).contains(n.text) }).isEmpty { return false }
            guard let value = facts.latestValue(of: n.text, before: n) else { return false }
            return isOneNamedParameter(value, facts, depth: depth + 1)
        }
        while n.type == "attribute", ["data", "grad"].contains(n.child(byField: "attribute")?.text ?? ""), let object = n.child(byField: "object") {
            n = object
        }
        // `head.weight`, `self.lm_head.weight`: a named parameter of a named module.
        guard n.type == "attribute", ["weight", "bias"].contains(n.child(byField: "attribute")?.text ?? ""),
              let root = facts.descendants(of: n).first(where: { $0.type == "identifier" }) else { return false }
        return facts.enclosingLoops(n).allSatisfy { !facts.loopVariables($0).contains(root.text) }
    }

    /// Whether the code runs: module level, or inside a function that something uses.
    func runs(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard let function = facts.enclosingFunction(node) else { return true }
        return facts.isReferenced(function.name, outside: function.node)
    }
}
