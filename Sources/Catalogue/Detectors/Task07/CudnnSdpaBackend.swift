import Parsing
import TreeSitterKit

/// `cudnn_sdpa_backend`: `scaled_dot_product_attention` runs on the cuDNN backend.
///
/// Requires a call of SDPA and either the global switches (`enable_cudnn_sdp(True)` together with
/// `enable_flash_sdp(False)`, imported or fully qualified, or looked up by a computed name in a loop over a table of
/// backends and flags in code that runs, also the keywords an object was built with, walked by `.items()` or by the
/// object's `__iter__`, or taken from a table of switches and flags the loop walks: `for toggle, on in
/// ((torch.backends.cuda.enable_cudnn_sdp, True), (torch.backends.cuda.enable_flash_sdp, False)): toggle(on)`, see
/// `PythonFacts.lookedUpCalls`), or taken from a dictionary of switches by the loop's key (`switches[kind](flag)`
/// for `kind, flag in wanted.items()`, see `PythonFacts.keyedCalls`), the context manager / decorator
/// `sdpa_kernel(SDPBackend.CUDNN_ATTENTION)` (alone or in a list of cuDNN only), or the older
/// `sdp_kernel(enable_cudnn=True, enable_flash=False, ...)`; a context must govern the training attention (wrap the
/// forward / backward, or decorate the attention code). Rejects a context that only wraps sampling, cuDNN enabled while Flash stays on, backend
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
        // The same switches looked up by a computed name, in code that runs (`for nm, on in (("cudnn", True),
        // ("flash", False)): getattr(torch.backends.cuda, f"enable_{nm}_sdp")(on)` in a helper the script calls).
        let switched = facts.calls.flatMap { call -> [(name: String, on: Bool, node: Node)] in
            let passes = facts.lookedUpCalls(call)
            guard !passes.isEmpty, facts.mayRun(call.node) else { return [] }
            return passes.compactMap { pass -> (name: String, on: Bool, node: Node)? in
                guard let name = pass.callee.split(separator: ".").last, let first = pass.arguments.first, let value = first?.number
                else { return nil }
                return (String(name), value != 0, call.node)
            }
        }
        if let on = switched.first(where: { $0.name == "enable_cudnn_sdp" && $0.on }),
           switched.contains(where: { $0.name == "enable_flash_sdp" && !$0.on }) {
            return [facts.evidence(on.node, "cuDNN SDPA enabled, Flash disabled (switches looked up by name)")]
        }
        // sdpa_kernel(SDPBackend.CUDNN_ATTENTION) or a list of cuDNN only.
        for call in facts.calls where call.name == "sdpa_kernel" && governsTraining(call, facts) {
            guard var backends = call.argument("backends", position: 0).map(facts.unparenthesized) else { continue }
            // A list kept in a name (`ATTN_BACKENDS = [SDPBackend.CUDNN_ATTENTION]`).
            if ["identifier", "attribute"].contains(backends.type), let name = SettingsTable.bareName(of: backends),
               let list = facts.allSettings.settings(name).map(\.value).first(where: { ["list", "tuple", "set"].contains($0.type) }) {
                backends = list
            }
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

    /// Whether a backend context applies to training attention: as a decorator, on a function that calls SDPA (or
    /// a `forward`); as a `with` block, around the SDPA call, around a backward pass (in the block or in the
    /// function or loop holding it), or around a call of the file's functions that runs one. A context that only
    /// wraps sampling or evaluation does not count.
    func governsTraining(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        func trains(_ node: Node) -> Bool {
            facts.descendants(of: node).contains { n in
                guard n.type == "call" else { return false }
                let c = facts.callSite(n)
                if c.computesGradients || c.name == "scaled_dot_product_attention" { return true }
                return facts.targets(of: c).contains { f in
                    facts.reachableFunctions(from: f).contains { g in
                        facts.descendants(of: g.node).contains { $0.type == "call" && facts.callSite($0).computesGradients }
                    }
                }
            }
        }
        if let decorator = facts.ancestors(of: call.node).first(where: { $0.type == "decorator" }) {
            guard let definition = decorator.parent?.namedChildren.first(where: { $0.type == "function_definition" }) else { return false }
            return facts.forwardMethodNames.contains(definition.child(byField: "name")?.text ?? "") || trains(definition)
        }
        guard let statement = facts.ancestors(of: call.node).first(where: { $0.type == "with_statement" }) else { return true }
        if trains(statement) { return true }
        // `with sdpa_kernel(...): loss = model(x)` followed by `loss.backward()` in the same loop or function.
        let around = facts.enclosingLoops(statement).first ?? facts.enclosingFunction(statement)?.node ?? facts.root
        return facts.descendants(of: around).contains { $0.type == "call" && facts.callSite($0).computesGradients }
    }

    /// The boolean a backend switch is called with (`enable_flash_sdp(False)`, `enable_cudnn_sdp(enabled=True)`).
    func switchValue(_ call: CallSite, _ facts: PythonFacts) -> Bool? {
        guard let argument = call.argument("enabled", position: 0) else { return nil }
        let node = facts.unparenthesized(argument)
        if node.type == "true" { return true }
        if node.type == "false" { return false }
        if let value = facts.value(of: node) { return value.double != 0 }
        // A test the configuration decides (`enable_cudnn_sdp(kind == "cudnn")` in a helper every call of which passes
        // `"cudnn"`; see `PythonFacts.truth(of:)`).
        return facts.truth(of: node)
    }
}
