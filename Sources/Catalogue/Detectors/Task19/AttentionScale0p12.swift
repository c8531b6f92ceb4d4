import Foundation
import SourceModel
import TreeSitterKit

/// `attention_scale_0p12`: attention logits are scaled by a fixed 0.12 instead of 1/sqrt(head_dim).
///
/// Requires the scale that reaches q·k to resolve to 0.12: the `scale` argument (keyword or position) of
/// `flex_attention` / `F.scaled_dot_product_attention`, the keyword also as the entry of a dictionary spread into the
/// call (`**self.FLEX_KWARGS` with the class field `FLEX_KWARGS = dict(scale=0.12)`); a factor (or a divisor of
/// 1/0.12) on a hand-written `q @ k^T` whose function takes a softmax (`(q @ k.T) * s`, `einsum(...).mul_(s)`,
/// `torch.mul(scores, s)`, or on the name the product is stored under, `scores = q @ k.T` then `scores /= 1 / s`);
/// a query or key pre-multiplied by 0.12 (`q = q * 0.12`, `k.mul_(0.12)`) and given to SDPA / flex with
/// `scale=1.0`; or, in a Triton kernel, a parameter bound to
/// 0.12 at launch that multiplies a `tl.dot` product. Names are followed to where they are set (`self.attn_scale = 0.12`, dataclass
/// fields, argparse defaults, `3 / 25`). Rejects the default scale, `head_dim ** -0.5`, and 0.12 stored but never
/// passed to attention. Examples: `queries/python/attention_scale_0p12/examples/`.
struct AttentionScale0p12: Detector {
    let id = "attention_scale_0p12"
    static let target = 0.12

    func detect(_ facts: PythonFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for call in facts.calls {
            // functools.partial(flex_attention, scale=...)
            if call.name == "partial", let wrapped = call.positional.first,
               ["flex_attention", "scaled_dot_product_attention"].contains(wrapped.text.lastDottedComponent),
               let scale = facts.keywordArgument("scale", of: call), isTarget(scale, facts) {
                evidence.append(facts.evidence(call.node, "attention scale 0.12 bound with partial"))
                continue
            }
            let position: Int
            switch call.name {
            case "flex_attention": position = 5
            case "scaled_dot_product_attention": position = 6
            default:
                // A name bound to it: `attend = torch.compile(flex_attention)`.
                guard let function = call.function, function.type == "identifier" else { continue }
                if facts.namesFlexAttention(function) {
                    position = 5
                } else if facts.namesFunction(function, "torch.nn.functional.scaled_dot_product_attention") {
                    position = 6
                } else {
                    continue
                }
            }
            // Also a `scale` entry of a dictionary spread into the call (`**self.FLEX_KWARGS` with `FLEX_KWARGS =
            // dict(scale=0.12)`, see `PythonFacts.keywordArgument`).
            if let scale = facts.keywordArgument("scale", of: call) ?? call.argument("scale", position: position) {
                if isTarget(scale, facts) {
                    evidence.append(facts.evidence(call.node, "attention scale 0.12"))
                } else if facts.values(of: scale).contains(where: { close($0.double, 1) }),
                          [call.argument("query", position: 0), call.argument("key", position: 1)].contains(where: { operand in
                              operand.map { preScaled($0, before: call.node, facts) } == true
                          }) {
                    // q * 0.12 handed in with scale=1.0: the logits are scaled by 0.12 all the same.
                    evidence.append(facts.evidence(call.node, "query scaled by 0.12 before attention with scale 1"))
                }
            }
        }
        // Hand-written attention: softmax(q @ k^T * s).
        for node in facts.nodes {
            guard let (_, right) = facts.matmulOperands(node), isTransposed(right, facts) || facts.einsumProduct(node)?.rightTransposed == true,
                  let function = facts.enclosingFunction(node), takesSoftmax(function, facts) else { continue }
            if scaled(node, facts) { evidence.append(facts.evidence(node, "q @ k^T scaled by 0.12")) }
        }
        // Triton kernels: a parameter bound to 0.12 multiplies the q·k product.
        for launch in facts.kernelLaunches {
            let bound = facts.numericBindings(launch).filter { close($0.value, Self.target) }.map(\.key)
            guard !bound.isEmpty else { continue }
            let body = facts.descendants(of: launch.kernel.node)
            guard body.contains(where: { $0.type == "call" && facts.callSite($0).name == "dot" }) else { continue }
            if body.contains(where: { n in
                n.type == "binary_operator" && n.child(byField: "operator")?.type == "*"
                    && [n.child(byField: "left"), n.child(byField: "right")].contains { $0?.type == "identifier" && bound.contains($0!.text) }
            }) {
                evidence.append(facts.evidence(launch.call.node, "attention kernel launched with scale 0.12"))
            }
        }
        return evidence
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }

    func isTarget(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.values(of: node).contains { close($0.double, Self.target) }
    }

    func isTransposed(_ node: Node, _ facts: PythonFacts) -> Bool {
        let node = facts.unparenthesized(node)
        if node.type == "attribute" { return ["T", "mT"].contains(node.child(byField: "attribute")?.text ?? "") }
        if node.type == "call" { return ["transpose", "t", "permute", "swapaxes"].contains(facts.callSite(node).name) }
        return false
    }

    func takesSoftmax(_ function: PythonFacts.Function, _ facts: PythonFacts) -> Bool {
        !facts.calls(named: "softmax", inside: function.node).isEmpty
    }

    /// Whether the product (or one of its operands) is multiplied by 0.12 or divided by 1/0.12: where it is used
    /// (`s * (q @ k^T)`, `(q @ k^T).mul_(s)`), or where the name it is stored under is used next
    /// (`logits = q @ k.T` then `logits *= s` or `logits = logits / (1 / s)`).
    func scaled(_ product: Node, _ facts: PythonFacts) -> Bool {
        var current = product
        while let parent = current.parent, parent.type == "parenthesized_expression" { current = parent }
        if factorApplied(to: current, facts) { return true }
        if let target = facts.assignmentTarget(receiving: current), target.type == "identifier",
           let function = facts.enclosingFunction(product) {
            for use in facts.uses(of: target.text, in: function.node) where use.startByte > product.endByte {
                if let parent = use.parent, parent.type == "augmented_assignment", parent.child(byField: "left") == use {
                    let op = parent.child(byField: "operator")?.type
                    if let right = parent.child(byField: "right"), op == "*=" && isTarget(right, facts) || op == "/=" && isInverse(right, facts) {
                        return true
                    }
                    continue
                }
                if facts.isRead(use), factorApplied(to: use, facts) { return true }
            }
        }
        // (q * s) @ k^T
        if let (left, _) = facts.matmulOperands(product) {
            let left = facts.unparenthesized(left)
            if left.type == "binary_operator", left.child(byField: "operator")?.type == "*",
               [left.child(byField: "left"), left.child(byField: "right")].contains(where: { $0.map { isTarget($0, facts) } == true }) {
                return true
            }
        }
        return false
    }

    /// Whether the expression at `node` is multiplied by 0.12 (or divided by 1/0.12) where it stands: an operand of
    /// `*` or `/`, the receiver of `.mul(s)` / `.mul_(s)` / `.div(1 / s)`, or the first argument of `torch.mul(x, s)`.
    func factorApplied(to node: Node, _ facts: PythonFacts) -> Bool {
        guard let parent = node.parent else { return false }
        if parent.type == "binary_operator", let op = parent.child(byField: "operator")?.type,
           let left = parent.child(byField: "left"), let right = parent.child(byField: "right") {
            let other = left == node ? right : left
            if op == "*", isTarget(other, facts) { return true }
            if op == "/", other == right, isInverse(other, facts) { return true }
            return false
        }
        if parent.type == "attribute", parent.child(byField: "object") == node, let call = parent.parent, call.type == "call",
           call.child(byField: "function") == parent {
            let site = facts.callSite(call)
            guard let factor = site.positional.first else { return false }
            if ["mul", "mul_", "multiply", "multiply_"].contains(site.name) { return isTarget(factor, facts) }
            if ["div", "div_", "divide", "divide_"].contains(site.name) { return isInverse(factor, facts) }
            return false
        }
        if parent.type == "argument_list", let call = parent.parent, call.type == "call" {
            let site = facts.callSite(call)
            guard site.receiver == nil, site.positional.count == 2, site.positional.contains(node) else { return false }
            let other = site.positional[0] == node ? site.positional[1] : site.positional[0]
            if ["torch.mul", "torch.multiply"].contains(site.callee) { return isTarget(other, facts) }
            if ["torch.div", "torch.divide"].contains(site.callee), site.positional[0] == node { return isInverse(other, facts) }
        }
        return false
    }

    func isInverse(_ node: Node, _ facts: PythonFacts) -> Bool {
        facts.values(of: node).contains { close($0.double, 1 / Self.target) }
    }

    /// Whether an attention operand is the query (or key) multiplied by 0.12 before the call: the argument itself
    /// (`q * 0.12`), a local name last set to such a product, or a name scaled in place earlier in the function
    /// (`q.mul_(0.12)`); also under a change of layout (`q.transpose(1, 2)` of such a name).
    func preScaled(_ operand: Node, before call: Node, _ facts: PythonFacts) -> Bool {
        var operand = facts.unparenthesized(operand)
        if scalesByTarget(operand, facts) { return true }
        // Through a change of layout (`q.transpose(1, 2)`, `q.view(...)`, `q.contiguous()`): the tensor it rearranges.
        while operand.type == "call", case let site = facts.callSite(operand), let receiver = site.receiver,
              PythonFacts.rearrangingMethods.contains(site.name) {
            operand = facts.unparenthesized(receiver)
            if scalesByTarget(operand, facts) { return true }
        }
        guard operand.type == "identifier" else { return false }
        if let value = facts.latestValue(of: operand.text, before: operand), value != operand, scalesByTarget(value, facts) {
            return true
        }
        return facts.inPlaceUpdates(of: operand.text, scope: facts.enclosingFunction(call)).contains { update in
            update.endByte <= call.startByte && scalesByTarget(update, facts)
        }
    }

    /// `x * 0.12`, `x / (1 / 0.12)`, `x.mul(0.12)`, `x.float().mul_(0.12)`, `torch.mul(x, 0.12)`.
    func scalesByTarget(_ expression: Node, _ facts: PythonFacts) -> Bool {
        let expression = facts.unparenthesized(expression)
        switch expression.type {
        case "binary_operator":
            guard let left = expression.child(byField: "left"), let right = expression.child(byField: "right") else { return false }
            switch expression.child(byField: "operator")?.type {
            case "*": return isTarget(left, facts) || isTarget(right, facts)
            case "/": return isInverse(right, facts)
            default: return false
            }
        case "call":
            let site = facts.callSite(expression)
            guard let factor = site.positional.last else { return false }
            if site.receiver != nil || site.positional.count == 2 && site.callee.hasPrefix("torch.") {
                if ["mul", "mul_", "multiply", "multiply_"].contains(site.name) { return isTarget(factor, facts) }
                if ["div", "div_", "divide", "divide_"].contains(site.name) { return isInverse(factor, facts) }
            }
            return false
        default:
            return false
        }
    }
}
