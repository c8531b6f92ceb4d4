import Parsing
import TreeSitterKit

/// What a CUDA kernel a compiled extension runs computes, read from its syntax: a root mean square, a log-sum-exp.
extension PythonFacts {
    /// Whether a launched CUDA kernel takes a root mean square: a square root (`rsqrtf`, `sqrtf`, `rsqrt`, `sqrt`) and a
    /// sum of squares (`acc += v * v`, `v * v` summed by a reduction) of one value.
    func cudaTakesRootMeanSquare(_ launch: ExtensionLaunch) -> Bool {
        let nodes = Array(launch.kernel.node.preorder)
        let root = nodes.contains { n in
            n.type == "call_expression" && ["rsqrtf", "rsqrt", "sqrtf", "sqrt", "__frsqrt_rn"].contains(n.child(byField: "function")?.text ?? "")
        }
        guard root else { return false }
        return nodes.contains { n in
            guard n.type == "assignment_expression", n.child(byField: "operator")?.type == "+=",
                  let right = n.child(byField: "right").map(Self.cudaStripped), right.type == "binary_expression",
                  right.child(byField: "operator")?.type == "*",
                  let a = right.child(byField: "left").map(Self.cudaStripped), let b = right.child(byField: "right").map(Self.cudaStripped)
            else { return false }
            return a.text == b.text
        }
    }

    /// Whether a launched CUDA kernel takes a log-sum-exp: an exponential (`expf`, `__expf`, `exp`) and a logarithm
    /// (`logf`, `__logf`, `log`) in one kernel (a cross-entropy written in CUDA).
    func cudaTakesLogSumExp(_ launch: ExtensionLaunch) -> Bool {
        let names = Set(launch.kernel.node.preorder.filter { $0.type == "call_expression" }.compactMap { $0.child(byField: "function")?.text })
        return !names.isDisjoint(with: ["expf", "__expf", "exp"]) && !names.isDisjoint(with: ["logf", "__logf", "log"])
    }
}
