import Parsing
import TreeSitterKit

/// Logit caps computed by CUDA kernels a compiled extension runs (see `ExtensionLaunch`), with the constants the Python
/// side passes.
extension PythonFacts {
    /// The caps a launched kernel computes: `A * tanhf(E)` and `A / (1 + expf(-E))` (also `__expf`, `exp`), with `E` the
    /// value divided by `B` (`v / B`) or multiplied by its reciprocal (`v * R`, R = 1 / B), directly or through a local
    /// of the kernel (`const float u = z[i] * inv_div;`), and `A`, `B` resolved through the launch to the Python call
    /// (see `cudaValue`).
    func extensionCaps(_ launch: ExtensionLaunch) -> [LogitCap] {
        var caps: [LogitCap] = []
        for node in launch.kernel.node.preorder where node.type == "binary_expression" {
            guard let op = node.child(byField: "operator")?.type, let left = node.child(byField: "left"),
                  let right = node.child(byField: "right") else { continue }
            switch op {
            case "*":
                // A * tanhf(E), either order.
                for (scale, squash) in [(left, right), (right, left)] {
                    let call = Self.cudaStripped(squash)
                    guard call.type == "call_expression", ["tanhf", "tanh"].contains(call.child(byField: "function")?.text ?? ""),
                          let argument = call.child(byField: "arguments")?.namedChildren.first,
                          let a = cudaValue(scale, in: launch), let b = cudaDivisor(argument, launch) else { continue }
                    caps.append(LogitCap(form: .tanh, scale: a, divisor: b, node: launch.call.node))
                }
            case "/":
                // A / (1 + expf(-E))
                guard let a = cudaValue(left, in: launch) else { continue }
                let sum = Self.cudaStripped(right)
                guard sum.type == "binary_expression", sum.child(byField: "operator")?.type == "+",
                      let l = sum.child(byField: "left"), let r = sum.child(byField: "right") else { continue }
                for (one, exp) in [(l, r), (r, l)] where cudaValue(one, in: launch) == 1 {
                    let call = Self.cudaStripped(exp)
                    guard call.type == "call_expression", ["expf", "__expf", "exp"].contains(call.child(byField: "function")?.text ?? ""),
                          let argument = call.child(byField: "arguments")?.namedChildren.first.map(Self.cudaStripped),
                          argument.type == "unary_expression", argument.child(byField: "operator")?.type == "-",
                          let negated = argument.child(byField: "argument"), let b = cudaDivisor(negated, launch) else { continue }
                    caps.append(LogitCap(form: .sigmoid, scale: a, divisor: b, node: launch.call.node))
                }
            default:
                continue
            }
        }
        return caps
    }

    /// For `v / B` or `v * R` (or a local of the kernel set to one), the divisor B (1 / R); nil otherwise.
    private func cudaDivisor(_ node: Node, _ launch: ExtensionLaunch, depth: Int = 0) -> Double? {
        let n = Self.cudaStripped(node)
        if n.type == "identifier", depth < 3, launch.launchArguments[n.text] == nil,
           let local = Self.cudaLocalValue(n, in: launch.kernel.node) {
            return cudaDivisor(local, launch, depth: depth + 1)
        }
        guard n.type == "binary_expression", let op = n.child(byField: "operator")?.type,
              let left = n.child(byField: "left"), let right = n.child(byField: "right") else { return nil }
        switch op {
        case "/": return cudaValue(right, in: launch).flatMap { $0 > 0 ? $0 : nil }
        case "*":
            for factor in [right, left] {
                if let r = cudaValue(factor, in: launch), r > 0 { return 1 / r }
            }
            return nil
        default:
            return nil
        }
    }
}
