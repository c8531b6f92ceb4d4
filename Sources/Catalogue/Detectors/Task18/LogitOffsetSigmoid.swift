import Foundation

/// `logit_offset_sigmoid`: the logit cap is computed as `2c * sigmoid(x / (c/2))`, the tanh cap shifted by +c.
///
/// Follows the cross-entropy input back to the logits (as `logit_softcap_15` does) and requires a sigmoid
/// there, `A * sigmoid(x / B)` or `A / (1 + exp(-x / B))` (also `exp(-x * (1 / B))`), in PyTorch or in a Triton kernel on the way, whose
/// constants resolve with A = 4B (A = 2c, B = c/2; 30 and 7.5 in the reference). Rejects the tanh cap with or
/// without a `+ c` offset, sigmoids used as gates or elsewhere, and logit sigmoids whose constants do not pair
/// (`30 * sigmoid(x / 15)`). Examples: `queries/python/logit_offset_sigmoid/examples/`.
struct LogitOffsetSigmoid: Detector {
    let id = "logit_offset_sigmoid"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        facts.logitCaps().filter { cap in
            cap.form == .sigmoid && cap.divisor > 0 && abs(cap.scale - 4 * cap.divisor) <= 1e-9 * cap.scale
        }.map { cap in
            let c = cap.scale / 2
            return facts.evidence(cap.node, "logits = \(format(cap.scale)) * sigmoid(x / \(format(cap.divisor))) = \(format(c)) * tanh(x / \(format(c))) + \(format(c))")
        }
    }

    func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
