import SourceModel
import TreeSitterKit

/// `cache_hints`: the kernel (or a helper it calls, or a macro it expands) issues loads or stores with an
/// explicit cache operator: `__ldg`, `__ldcs`, `__ldcg`, `__ldca`, `__ldlu`, `__ldcv`, `__stcs`, `__stcg`,
/// `__stwt`, `__stwb`, or inline PTX `ld`/`st` carrying a cache qualifier (`.cs`, `.cg`, `.lu`, `.nc`, `.wt`,
/// `L1::no_allocate`, `L2::evict_*`). Calls are resolved through macros and helpers; the intrinsic's name in a
/// comment or a string, a helper the kernel never calls, or plain `const __restrict__` loads do not count.
struct CacheHints: TechniqueDetector {
    let id = "cache_hints"

    static let intrinsics: Set<String> = ["__ldg", "__ldcs", "__ldcg", "__ldca", "__ldlu", "__ldcv",
                                          "__stcs", "__stcg", "__stwt", "__stwb"]
    static let ptxQualifiers: Set<String> = ["cs", "cg", "ca", "lu", "cv", "nc", "wt", "wb"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) {
            let bare = name.lastQualifiedComponent
            let hit = facts.expansion(of: bare).intersection(Self.intrinsics)
            if let intrinsic = hit.sorted().first {
                evidence.append(facts.evidence(node, "cache-operator access `\(intrinsic)`"))
            }
        }
        for (code, node) in MemSupport.inlineAssembly(kernel, facts) {
            for parts in MemSupport.instructions(code) where ["ld", "st", "ldu"].contains(parts.first ?? "") {
                let qualifiers = Set(parts.dropFirst())
                if !qualifiers.isDisjoint(with: Self.ptxQualifiers) || parts.contains(where: { $0.hasPrefix("L1::no_allocate") || $0.hasPrefix("L2::evict") }) {
                    evidence.append(facts.evidence(node, "inline PTX `\(parts.joined(separator: "."))` with a cache qualifier"))
                    break
                }
            }
        }
        // libclang saw a cache intrinsic (e.g. through a macro that is not spelled as a call) that tree-sitter did not.
        if evidence.isEmpty {
            for f in facts.reach(kernel) {
                let names = facts.calls(of: f).map { $0.lastQualifiedComponent }
                if let intrinsic = names.first(where: { Self.intrinsics.contains($0) }) {
                    evidence.append(facts.evidence(f.node, "calls `\(intrinsic)` (resolved by libclang)"))
                    break
                }
            }
        }
        return evidence
    }
}
