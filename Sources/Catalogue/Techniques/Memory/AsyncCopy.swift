import SourceModel
import TreeSitterKit

/// `async_copy`: global memory is copied into shared memory asynchronously by the hardware copy engine:
/// `__pipeline_memcpy_async`, `cuda::memcpy_async`, cooperative groups' `memcpy_async`, the TMA bulk-copy
/// functions (`cp_async_bulk_tensor_*`), or inline PTX `cp.async` / `cp.async.bulk` (directly, in a helper,
/// or inside a macro the kernel calls, whose body is parsed). A synchronous staging loop, `cp.async` in a
/// string that is not an `asm` statement, or a copy helper the kernel never calls does not count.
struct AsyncCopy: TechniqueDetector {
    let id = "async_copy"

    static let functions: Set<String> = ["__pipeline_memcpy_async", "memcpy_async", "memcpy_async_tx",
                                         "cp_async_bulk_global_to_shared", "cp_async_bulk_tensor_1d_global_to_shared",
                                         "cp_async_bulk_tensor_2d_global_to_shared", "cp_async_bulk_tensor_3d_global_to_shared",
                                         "cp_async_bulk_tensor_4d_global_to_shared", "cp_async_bulk_tensor_5d_global_to_shared"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) {
            let bare = name.lastQualifiedComponent
            if let hit = facts.expansion(of: bare).intersection(Self.functions).sorted().first {
                evidence.append(facts.evidence(node, "asynchronous copy `\(hit)`"))
            }
        }
        for (code, node) in MemSupport.inlineAssembly(kernel, facts) {
            if let parts = MemSupport.instructions(code).first(where: { $0.count >= 2 && ($0[0] == "cp" || $0[0] == "cp.reduce") && $0.contains("async") }) {
                evidence.append(facts.evidence(node, "inline PTX `\(parts.joined(separator: "."))`"))
            }
        }
        if evidence.isEmpty {
            for f in facts.reach(kernel) {
                let names = facts.calls(of: f).map { $0.lastQualifiedComponent }
                if let hit = names.first(where: { Self.functions.contains($0) }) {
                    evidence.append(facts.evidence(f.node, "calls `\(hit)` (resolved by libclang)"))
                    break
                }
            }
        }
        return evidence
    }
}
