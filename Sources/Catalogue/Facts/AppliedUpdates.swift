import Parsing
import TreeSitterKit

/// An optimizer written as a pure update function, applied by its caller: the function returns the step
/// (`def muon_update(grad, buf, *, momentum) -> (update, new_buf)`) and the code that calls it moves parameters by
/// what it returns (`u, bufs[i] = muon_update(g, bufs[i], momentum=mu)`, `updates.append(u)`,
/// `torch._foreach_add_(leaves, updates, alpha=-lr)`; `p.add_(u, alpha=-lr)`; `p -= lr * u`; or a helper of the file
/// that does so, `apply_updates(leaves, dirs, lr)`). The function is then an optimizer over those parameters at
/// that rate, as a function that updates them in place itself is.
public struct AppliedUpdate {
    /// The call of the update function.
    public let call: CallSite
    /// The in-place update that applies what it returns (`torch._foreach_add_(...)`, `p.add_(...)`, `p -= ...`), or
    /// the call of the helper of the file that applies it (`apply_updates(leaves, dirs, lr)`).
    public let application: Node
    /// The tensors moved (`leaves`, `p`; for a helper, the argument it takes for the tensors it changes).
    public let parameters: Node?
    /// The rate the step is applied with (`lr` of `alpha=-lr` or of `lr * u`; for a helper, the argument given for
    /// its rate), when one is read.
    public let rate: Node?
}

extension PythonFacts {
    static let parameterSteps: Set<String> = ["add_", "sub_"]

    /// Where what calls of `function` return is applied in place to tensors (see `AppliedUpdate`): the names the
    /// returned value (or one element of it, unpacked) is given after a call, the lists those names are appended
    /// to, and a comprehension over calls assigned to a name, followed in the caller to an `add_` / `sub_` (also its
    /// multi-tensor form, see `methodView`) on another tensor or a `-=` / `+=` on another name that reads them, or to
    /// a helper of the file given them whose parameter reaches such an update. A result only logged, copied into a
    /// buffer (`buf.copy_(new_buf)`), or never read is not applied.
    public func appliedUpdates(of function: Function) -> [AppliedUpdate] {
        memoized("appliedUpdates/\(function.node.startByte)") {
            var result: [AppliedUpdate] = []
            // Also a call of a parameter the function is handed to (`update_fn(p, p.grad, s, hp, lr)` in a helper its
            // callers give `adam_update`, see `handedFunctions`).
            let handed = Set(callsHanding(function).compactMap { calledFunction($0)?.node })
            for call in calls where !isInside(call.node, function.node)
                && (call.name == function.name && (calledFunction(call)?.node == function.node || targets(of: call).contains { $0.node == function.node })
                    || handedParameterCall(call, in: handed)) {
                let carriers = resultNames(of: call)
                guard !carriers.isEmpty, let scope = enclosingFunction(call.node)?.node ?? ancestors(of: call.node).last else { continue }
                if let found = application(of: carriers, after: call.node, in: scope, depth: 0) {
                    result.append(AppliedUpdate(call: call, application: found.node, parameters: found.parameters, rate: found.rate))
                }
            }
            return result
        }
    }

    /// The names a call's result is given: `u = f(...)`, each name of `u, state = f(...)`, and the name a list
    /// comprehension over such calls is assigned to (`dirs = [f(g) for g in gs]`).
    private func resultNames(of call: CallSite) -> Set<String> {
        var node = call.node
        while let parent = node.parent, ["parenthesized_expression", "list_comprehension", "generator_expression"].contains(parent.type)
            || parent.type == "call" && ["list", "tuple"].contains(callSite(parent).callee) || parent.type == "argument_list" {
            node = parent
        }
        guard let assignment = node.parent, assignment.type == "assignment", assignment.child(byField: "right") == node,
              let left = assignment.child(byField: "left") else { return [] }
        if left.type == "identifier" { return [left.text] }
        guard ["pattern_list", "tuple_pattern"].contains(left.type) else { return [] }
        return Set(left.namedChildren.filter { $0.type == "identifier" }.map(\.text))
    }

    /// The first in-place update after `start` in `scope` that reads one of `carriers` (also through a list they
    /// are appended to), with the tensors it moves and its rate; through a helper of the file, one level deep.
    private func application(of carriers: Set<String>, after start: Node, in scope: Node, depth: Int)
        -> (node: Node, parameters: Node?, rate: Node?)? {
        var names = carriers
        func reads(_ node: Node) -> Bool { descendants(of: node).contains { $0.type == "identifier" && names.contains($0.text) } }
        let owner = enclosingFunction(start)?.node
        // Code of the same function only (not of functions defined after the call).
        for n in descendants(of: scope) where n.startByte >= start.endByte && enclosingFunction(n)?.node == owner {
            switch n.type {
            case "augmented_assignment":
                guard let op = n.child(byField: "operator")?.type, ["-=", "+="].contains(op), let left = n.child(byField: "left"),
                      let right = n.child(byField: "right"), !names.contains(left.text), reads(right) else { continue }
                return (n, left, otherFactor(of: right, names))
            case "call":
                let site = callSite(n)
                // `dirs.append(u)`: the list carries the step too.
                if site.name == "append", let receiver = site.receiver.map(unwrapped), receiver.type == "identifier",
                   let item = site.positional.first, reads(item) {
                    names.insert(receiver.text)
                    continue
                }
                let view = methodView(site)
                // `p.copy_(new_p)` after `new_p, s = adam_update(p, p.grad, s, hp, lr)`: the new value of a tensor whose
                // gradient the update was given is written into it (a buffer copied back, `buf.copy_(new_buf)`, is not:
                // the update gets no gradient of it).
                if view.name == "copy_", let receiver = view.receiver.map(unwrapped), !reads(receiver),
                   let copied = view.positional.first, reads(copied), givesGradient(of: receiver, to: start) {
                    return (n, receiver, nil)
                }
                if Self.parameterSteps.contains(view.name), let receiver = view.receiver, !reads(receiver) {
                    let arguments = view.positional + Array(view.keywords.values)
                    guard let moved = arguments.first(where: reads) else { continue }
                    let rate = view.keywords["alpha"].map(withoutSign) ?? otherFactor(of: moved, names)
                    return (n, receiver, rate)
                }
                // A helper of the file given the step: its parameter receiving it must reach an update there.
                guard depth == 0, let helper = calledFunction(site), !isInside(n, helper.node) else { continue }
                for (index, parameter) in helper.passedParameters.enumerated() {
                    guard let argument = site.argument(parameter, position: index), reads(argument),
                          let signature = helper.node.child(byField: "parameters"),
                          let inner = application(of: [parameter], after: signature, in: helper.node, depth: depth + 1)
                    else { continue }
                    // The helper's tensors and rate as this call gives them.
                    func given(_ node: Node?) -> Node? {
                        guard let node, node.type == "identifier", let position = helper.passedParameters.firstIndex(of: node.text) else { return node }
                        return site.argument(node.text, position: position)
                    }
                    return (n, given(inner.parameters), given(inner.rate))
                }
            default:
                continue
            }
        }
        return nil
    }

    /// Whether a call runs a parameter of one of `helpers` (the functions a rule is handed to).
    private func handedParameterCall(_ call: CallSite, in helpers: Set<Node>) -> Bool {
        guard !helpers.isEmpty, call.receiver == nil, let callee = call.function.map(unwrapped), callee.type == "identifier",
              let helper = enclosingFunction(call.node), helpers.contains(helper.node) else { return false }
        return helper.passedParameters.contains(callee.text)
    }

    /// Whether call `start` is given the gradient of `tensor` (`p.grad` among its arguments, for `p`).
    private func givesGradient(of tensor: Node, to start: Node) -> Bool {
        guard let arguments = start.child(byField: "arguments") else { return false }
        let name = compact(tensor)
        return descendants(of: arguments).contains { node in
            node.type == "attribute" && node.child(byField: "attribute")?.text == "grad"
                && node.child(byField: "object").map(compact) == name
        }
    }

    /// `-lr` read as `lr`.
    private func withoutSign(_ node: Node) -> Node {
        let n = unwrapped(node)
        if n.type == "unary_operator", let operand = n.child(byField: "argument") { return unwrapped(operand) }
        return n
    }

    /// In a product that reads the step (`lr * u`, `u * lr`), the factor that does not.
    private func otherFactor(of node: Node, _ names: Set<String>) -> Node? {
        let n = unwrapped(node)
        guard n.type == "binary_operator", n.child(byField: "operator")?.type == "*",
              let left = n.child(byField: "left"), let right = n.child(byField: "right") else { return nil }
        func reads(_ side: Node) -> Bool { descendants(of: side).contains { $0.type == "identifier" && names.contains($0.text) } }
        if reads(left), !reads(right) { return withoutSign(right) }
        if reads(right), !reads(left) { return withoutSign(left) }
        return nil
    }
}
