import Foundation

/// `logit_softcap_15`: the output logits are soft-capped at 15, `15 * tanh(logits / 15)`.
///
/// Follows the cross-entropy input back to the logits (local assignments, in-place updates, helper functions,
/// module `forward`s, Triton kernels launched on the way) and requires a cap there whose constants resolve to
/// 15 on both sides: `c * tanh(x / c)` (function, method, in-place `div_`/`tanh_`/`mul_` chain), the same in a
/// kernel (tanh written with `exp`, constants bound at launch), or the shifted form `30 * sigmoid(x / 7.5)`
/// (`A / (1 + exp(-x / B))` included), which differs from it by a constant. A cap written in a method of an object
/// reads that object's fields (`self.cap` of the `SoftCap(15.0)` the logits go through, see
/// `PythonFacts.fieldBindings(of:)`), not those of another object of the same class. Rejects other caps (30) and a 15
/// cap on attention scores (also through a second object of the logits' cap class) or anything that does not reach the loss. A loss of the file's own that is handed the
/// head's logits (a fused soft-capped cross-entropy kernel) is read as `logit_softcap` reads it. Examples:
/// A Liger fused loss called with `softcap=15` counts (see `LibraryLosses.swift`).
/// `queries/python/logit_softcap_15/examples/`.
struct LogitSoftcap15: Detector {
    let id = "logit_softcap_15"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let found = facts.logitCaps().filter(isCap15).map {
            facts.evidence($0.node, $0.form == .tanh ? "logits capped with 15 * tanh(x / 15)" : "logits capped with 30 * sigmoid(x / 7.5) = 15 * tanh(x / 15) + 15")
        }
        guard found.isEmpty, !facts.model().outputHeads.isEmpty else { return found }
        // A loss of the file's own that takes the logits and caps them inside (a fused soft-capped cross-entropy
        // kernel): read from the output head, as `logit_softcap` does.
        return LogitSoftcap().capAfterHead(facts, accept: isCap15)
    }

    func isCap15(_ cap: LogitCap) -> Bool {
        switch cap.form {
        case .tanh: return close(cap.scale, 15) && close(cap.divisor, 15)
        case .sigmoid: return close(cap.scale, 30) && close(cap.divisor, 7.5)
        }
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * b }
}
