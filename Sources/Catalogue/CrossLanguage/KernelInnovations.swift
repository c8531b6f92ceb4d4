import SourceModel
import TreeSitterKit

/// Cross-language credit: a CUDA kernel that computes a catalogued Python-level operation implements that
/// innovation, with the kernel as evidence.
///
/// - `relu_squared`: the kernel takes max(v, 0) (`fmaxf(v, 0.f)`, `max(v, 0)`, `v > 0 ? v : 0`) and squares it
///   (`r * r` on the same value, `powf(r, 2)`, or the max expression multiplied by itself);
/// - `logit_softcap` (and `logit_softcap_15` when the cap is 15): `cap * tanhf(v / cap)` with the same cap on
///   both sides (a literal or a name).
///
/// Only kernels that something launches count (a helper nobody uses is not part of the model); CUDA embedded in
/// Python is built to be called from Python, so its kernels all count.
public enum KernelInnovations {
    public static func detect(_ facts: CUDAFacts) -> [Detection] {
        var found: [String: [Evidence]] = [:]
        let launched = Set((facts.inventory?.launches ?? []).map { $0.kernel.lastQualifiedComponent })
        // CUDA embedded in Python is compiled to be called from Python: every kernel there counts.
        for kernel in facts.ownKernels where launched.contains(kernel.name) || facts.inventory == nil || facts.isEmbedded {
            for node in facts.nodes(in: kernel, types: ["binary_expression", "call_expression"]) {
                if isReluSquare(node, facts) {
                    found["relu_squared", default: []].append(facts.evidence(node, "kernel \(kernel.name) squares max(x, 0)"))
                }
                if let cap = softcap(node, facts) {
                    found["logit_softcap", default: []].append(facts.evidence(node, "kernel \(kernel.name) computes cap * tanh(x / cap)"))
                    if cap == 15 { found["logit_softcap_15", default: []].append(facts.evidence(node, "kernel \(kernel.name) caps logits at 15")) }
                }
            }
        }
        return found.map { Detection(id: $0.key, evidence: $0.value) }.sorted { $0.id < $1.id }
    }

    static func stripped(_ node: Node) -> Node {
        var n = node
        while n.type == "parenthesized_expression", let inner = n.namedChild(0) { n = inner }
        return n
    }

    static func isZero(_ node: Node) -> Bool {
        let n = stripped(node)
        guard n.type == "number_literal" else { return false }
        return Double(n.text.lowercased().replacingOccurrences(of: "f", with: "")) == 0
    }

    /// max(v, 0) in any of its spellings.
    static func isReLU(_ node: Node, _ facts: CUDAFacts, depth: Int = 0) -> Bool {
        let n = stripped(node)
        switch n.type {
        case "call_expression":
            guard let callee = n.child(byField: "function").map({ facts.calleeName($0) }),
                  ["fmaxf", "fmax", "max", "__hmax", "relu"].contains(callee) || facts.expansion(of: callee).contains("fmaxf") else { return false }
            let args = n.child(byField: "arguments")?.namedChildren ?? []
            return callee == "relu" || args.contains(where: isZero)
        case "conditional_expression":
            guard let condition = n.child(byField: "condition").map(stripped), condition.type == "binary_expression",
                  let right = condition.child(byField: "right") else { return false }
            return isZero(right) && (n.child(byField: "alternative").map(isZero) ?? false)
        case "identifier":
            // A local assigned from a ReLU: r = fmaxf(v, 0.f).
            guard depth < 3 else { return false }
            var function = n.parent
            while let f = function, f.type != "function_definition" { function = f.parent }
            guard let body = function else { return false }
            return body.preorder.contains { d in
                (d.type == "init_declarator" && d.child(byField: "declarator")?.text == n.text && d.child(byField: "value").map { isReLU($0, facts, depth: depth + 1) } == true)
                    || (d.type == "assignment_expression" && d.child(byField: "left")?.text == n.text && d.child(byField: "right").map { isReLU($0, facts, depth: depth + 1) } == true)
            }
        default:
            return false
        }
    }

    static func isReluSquare(_ node: Node, _ facts: CUDAFacts) -> Bool {
        if node.type == "binary_expression", node.child(byField: "operator")?.type == "*",
           let left = node.child(byField: "left"), let right = node.child(byField: "right") {
            return stripped(left).text.filter { !$0.isWhitespace } == stripped(right).text.filter { !$0.isWhitespace } && isReLU(left, facts)
        }
        if node.type == "call_expression", let callee = node.child(byField: "function"), ["powf", "pow", "__powf"].contains(facts.calleeName(callee)) {
            let args = node.child(byField: "arguments")?.namedChildren ?? []
            return args.count == 2 && stripped(args[1]).text.replacingOccurrences(of: "f", with: "") == "2" && isReLU(args[0], facts)
                || args.count == 2 && (Double(stripped(args[1]).text.lowercased().replacingOccurrences(of: "f", with: "")) == 2) && isReLU(args[0], facts)
        }
        return false
    }

    /// The cap of `cap * tanh(v / cap)`, or nil.
    static func softcap(_ node: Node, _ facts: CUDAFacts) -> Double?? {
        guard node.type == "binary_expression", node.child(byField: "operator")?.type == "*",
              let left = node.child(byField: "left").map(stripped), let right = node.child(byField: "right").map(stripped) else { return nil }
        for (cap, other) in [(left, right), (right, left)] {
            guard other.type == "call_expression", let callee = other.child(byField: "function"),
                  ["tanhf", "tanh", "__tanhf"].contains(facts.calleeName(callee)),
                  let argument = other.child(byField: "arguments")?.namedChild(0).map(stripped), argument.type == "binary_expression",
                  argument.child(byField: "operator")?.type == "/",
                  let divisor = argument.child(byField: "right").map(stripped),
                  divisor.text.filter({ !$0.isWhitespace }) == cap.text.filter({ !$0.isWhitespace }) else { continue }
            return .some(Double(cap.text.lowercased().replacingOccurrences(of: "f", with: "")))
        }
        return nil
    }
}
