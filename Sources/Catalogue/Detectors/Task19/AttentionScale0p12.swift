import Foundation
import SourceModel
import TreeSitterKit

/// `attention_scale_0p12`: attention logits are scaled by a fixed 0.12 instead of 1/sqrt(head_dim).
///
/// Requires the scale that reaches q·k to resolve to 0.12: the `scale` argument (keyword or position) of
/// `flex_attention` / `F.scaled_dot_product_attention`, the keyword also as the entry of a dictionary spread into the
/// call (`**self.FLEX_KWARGS` with the class field `FLEX_KWARGS = dict(scale=0.12)`); a factor (or a divisor of
/// 1/0.12) on a hand-written `q @ k^T` whose function takes a softmax; or, in a Triton kernel, a parameter bound to
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
            if let scale = facts.keywordArgument("scale", of: call) ?? call.argument("scale", position: position), isTarget(scale, facts) {
                evidence.append(facts.evidence(call.node, "attention scale 0.12"))
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

    /// Whether the product (or one of its operands) is multiplied by 0.12 or divided by 1/0.12.
    func scaled(_ product: Node, _ facts: PythonFacts) -> Bool {
        // s * (q @ k^T), (q @ k^T) / (1 / s)
        var current = product
        while let parent = current.parent, parent.type == "parenthesized_expression" { current = parent }
        if let parent = current.parent, parent.type == "binary_operator", let op = parent.child(byField: "operator")?.type,
           let left = parent.child(byField: "left"), let right = parent.child(byField: "right") {
            let other = left == current ? right : left
            if op == "*", isTarget(other, facts) { return true }
            if op == "/", other == right, facts.values(of: other).contains(where: { close($0.double, 1 / Self.target) }) { return true }
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
}
