import TreeSitterKit

/// `fast_math_intrinsics`: the kernel, or a device helper it calls, uses the hardware approximations of the math
/// library at source level: `__expf`, `__logf`, `__sinf`, `__fdividef`, `__frcp_rn`, `__saturatef`, ... and
/// (at medium confidence) `rsqrtf`. Calls count when written directly, through a macro, or as libclang resolved
/// them. Rejected: the accurate functions (`expf`, `logf`, `1.0f / sqrtf(x)`), an intrinsic named only in a
/// comment or string, a helper using one that the kernel never calls, and the `--use_fast_math` build flag
/// (a build setting, not source).
struct FastMathIntrinsics: TechniqueDetector {
    let id = "fast_math_intrinsics"

    static let intrinsics: Set<String> = [
        "__expf", "__exp10f", "__exp2f", "__logf", "__log2f", "__log10f", "__sinf", "__cosf", "__sincosf", "__tanf",
        "__powf", "__fdividef", "__fdiv_rn", "__frcp_rn", "__frcp_rz", "__frsqrt_rn", "__fsqrt_rn", "__saturatef",
        "__tanhf", "__fdivide", "hexp", "hlog", "h2exp", "h2log", "hrsqrt", "h2rsqrt", "hrcp", "h2rcp",
    ]
    static let mediumConfidence: Set<String> = ["rsqrtf", "rsqrt", "__rsqrtf"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let all = Self.intrinsics.union(Self.mediumConfidence)
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) where KernelAST.matches(name, all, facts) {
            let fast = KernelAST.matches(name, Self.intrinsics, facts)
            evidence.append(facts.evidence(node, fast ? "fast-math intrinsic" : "reciprocal square root intrinsic (medium confidence)"))
        }
        if evidence.isEmpty {
            // libclang saw a call tree-sitter could not name (e.g. inside a template or an unusual macro).
            for f in facts.reach(kernel) where facts.calls(of: f).contains(where: { Self.intrinsics.contains(KernelAST.bare($0)) }) {
                evidence.append(facts.evidence(f.node, "calls a fast-math intrinsic (resolved by libclang)"))
            }
        }
        return evidence
    }
}
