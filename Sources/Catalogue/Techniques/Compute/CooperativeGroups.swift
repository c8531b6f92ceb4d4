import ClangKit
import SourceModel
import TreeSitterKit

/// `cooperative_groups`: the kernel, or a device helper it calls, uses the cooperative-groups API
/// (`this_thread_block()`, `tiled_partition`, a `thread_block_tile`'s methods, `cg::reduce`, `block.sync()`,
/// `meta_group_rank()`, `this_grid()`), through whatever namespace alias. libclang decides: the call must resolve
/// to a declaration in namespace `cooperative_groups`. Including the header, aliasing the namespace, a comment,
/// or look-alike functions of another namespace do not count.
struct CooperativeGroups: TechniqueDetector {
    let id = "cooperative_groups"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let names = Set(facts.reach(kernel).map(\.name))
        guard let inventory = facts.inventory else { return [] }
        var evidence: [Evidence] = []
        var seen: Set<String> = []
        for call in inventory.intrinsicCalls where call.category == .cooperativeGroups {
            guard let function = call.function, names.contains(function.lastQualifiedComponent),
                  seen.insert(call.name).inserted else { continue }
            evidence.append(facts.evidence(span: call.span, "cooperative groups: \(call.name)"))
        }
        return evidence
    }
}
