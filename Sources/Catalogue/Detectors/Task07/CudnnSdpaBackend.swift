import Parsing
import TreeSitterKit

/// `cudnn_sdpa_backend`: `scaled_dot_product_attention` runs on the cuDNN backend.
///
/// Requires a call of SDPA and either the global switches (`enable_cudnn_sdp(True)` together with
/// `enable_flash_sdp(False)`, imported or fully qualified), the context manager / decorator
/// `sdpa_kernel(SDPBackend.CUDNN_ATTENTION)` (alone or in a list of cuDNN only), or the older
/// `sdp_kernel(enable_cudnn=True, enable_flash=False, ...)`. Rejects cuDNN enabled while Flash stays on, backend
/// lists that include another backend, and cuDNN library flags (`torch.backends.cudnn.benchmark`, `allow_tf32`).
/// Examples: `queries/python/cudnn_sdpa_backend/examples/`.
struct CudnnSdpaBackend: Detector {
    let id = "cudnn_sdpa_backend"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard facts.calls.contains(where: { $0.name == "scaled_dot_product_attention" }) else { return [] }
        // Global switches.
        let cudnnOn = facts.calls.first { $0.name == "enable_cudnn_sdp" && switchValue($0, facts) == true }
        let flashOff = facts.calls.first { $0.name == "enable_flash_sdp" && switchValue($0, facts) == false }
        if let cudnnOn, flashOff != nil { return [facts.evidence(cudnnOn.node, "cuDNN SDPA enabled, Flash disabled")] }
        // sdpa_kernel(SDPBackend.CUDNN_ATTENTION) or a list of cuDNN only.
        for call in facts.calls where call.name == "sdpa_kernel" {
            guard let backends = call.argument("backends", position: 0) else { continue }
            let items = ["list", "tuple", "set"].contains(backends.type) ? backends.namedChildren : [backends]
            let names = items.map { $0.type == "attribute" ? ($0.child(byField: "attribute")?.text ?? "") : $0.text }
            if !names.isEmpty, names.allSatisfy({ $0 == "CUDNN_ATTENTION" }) {
                return [facts.evidence(call.node, "SDPA pinned to cuDNN attention")]
            }
        }
        for call in facts.calls where call.name == "sdp_kernel" {
            if call.keywords["enable_cudnn"].map(facts.isTruthy) == true,
               let flash = call.keywords["enable_flash"], !facts.isTruthy(flash) {
                return [facts.evidence(call.node, "SDPA pinned to cuDNN attention")]
            }
        }
        return []
    }

    /// The boolean a backend switch is called with (`enable_flash_sdp(False)`, `enable_cudnn_sdp(enabled=True)`).
    func switchValue(_ call: CallSite, _ facts: PythonFacts) -> Bool? {
        guard let argument = call.argument("enabled", position: 0) else { return nil }
        let node = facts.unparenthesized(argument)
        if node.type == "true" { return true }
        if node.type == "false" { return false }
        return facts.value(of: node).map { $0.double != 0 }
    }
}
