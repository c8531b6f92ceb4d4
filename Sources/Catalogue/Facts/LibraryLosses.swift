import Parsing
import TreeSitterKit

/// Fused losses of kernel libraries that cap the logits themselves: Liger's fused linear cross-entropy (and its
/// plain cross-entropy) computes `softcap * tanh(logits / softcap)` in the kernel when given `softcap=`. A script that
/// hands its head's weight and hidden states to such a loss caps its logits there, with no `tanh` of its own.
extension PythonFacts {
    /// Classes and functions of Liger that take `softcap=` and apply it to the logits before the cross-entropy.
    static let cappingLossNames: Set<String> = [
        "LigerFusedLinearCrossEntropyLoss", "LigerCrossEntropyLoss",
        "liger_fused_linear_cross_entropy", "liger_cross_entropy",
    ]

    /// Caps applied by a library loss: a call of a capping function, or a construction of a capping loss module whose
    /// object the file calls (`self.loss = LigerFusedLinearCrossEntropyLoss(softcap=cfg.cap)` then `self.loss(w, h,
    /// y)`), one cap per value `softcap` resolves to. A module built and never called caps nothing.
    var libraryLossCaps: [LogitCap] {
        memoized("libraryLossCaps") {
            var caps: [LogitCap] = []
            for call in calls where call.callee.hasPrefix("liger_kernel.") && Self.cappingLossNames.contains(call.name) {
                guard let softcap = call.keywords["softcap"] else { continue }
                if call.name.first?.isUppercase == true, !isCalledObject(call.node) { continue }
                for value in values(of: softcap) where value.double > 0 {
                    caps.append(LogitCap(form: .tanh, scale: value.double, divisor: value.double, node: call.node))
                }
            }
            return caps
        }
    }
}
