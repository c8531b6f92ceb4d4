import TreeSitterKit

/// `occupancy_tuning`: explicit control of how many blocks are resident per SM, decided from code only
/// (comments play no part): `__launch_bounds__` with a minimum-blocks argument (directly, through macros, or a
/// macro expanding to the attribute, including a function-like one called in the declaration,
/// `#define BOUNDS(t, m) __launch_bounds__(t, m)` ... `__global__ void BOUNDS(Cfg::kThreads, Cfg::kMin) k(...)`,
/// whose replacement passes the attribute two arguments), a register cap on the kernel (`__maxnreg__(N)`), or a launch of the kernel
/// (directly or through a local or parameter holding it) whose block size derives from the SM's limits
/// (`maxThreadsPerMultiProcessor`, the occupancy calculator, e.g. `cudaOccupancyMaxPotentialBlockSize(&g, &b, k)`).
/// `__launch_bounds__` with only a thread count, a grid (not block) sized from the SM count or the occupancy
/// calculator (that is `persistent_threads`), an occupancy query whose result is only printed or checked, and any
/// of these words in a comment do not count.
struct OccupancyTuning: TechniqueDetector {
    let id = "occupancy_tuning"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        if let use = LaunchBounds.macroUse(of: kernel, in: facts) {
            if Self.macroGivesMinimumBlocks(use, facts) {
                evidence.append(facts.evidence(range: use.range, "\(use.text) stands for __launch_bounds__ with a minimum number of resident blocks"))
            }
        } else if let (node, arguments) = LaunchBounds.bounds(of: kernel, in: facts), arguments.count >= 2 {
            evidence.append(facts.evidence(node, "__launch_bounds__ asks for a minimum number of resident blocks"))
        }
        let flow = KernelIndexFlow(kernel, in: facts)
        for (call, configuration) in flow.launchSites(of: kernel) where configuration.count >= 2 {
            var current = call.parent
            while let c = current, c.type != "function_definition" { current = c.parent }
            guard let hostNode = current, let host = facts.functions.first(where: { $0.node == hostNode }) else { continue }
            let origin = KernelIndexFlow(host, in: facts, reach: false).origin(configuration[1])
            if !origin.isDisjoint(with: ["smThreads", "occupancy", "smBlocks", "smRegisters"]) {
                evidence.append(facts.evidence(call, "block size derived from the SM's resident limits"))
            }
        }
        if let cap = kernel.node.namedChildren.first(where: { $0.byteRange.upperBound <= (kernel.body?.startByte ?? kernel.node.endByte) &&
            $0.preorder.contains { $0.type == "identifier" && $0.text == "__maxnreg__" } }) {
            evidence.append(facts.evidence(cap, "register cap per thread"))
        }
        // A bare occupancy query (`cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, kernel, ...)`) is not control:
        // it counts only through the launch above, when its result sets the block size.
        return evidence
    }

    /// Whether a call of a function-like attribute macro (`BOUNDS(256, 2)`) ends up giving `__launch_bounds__` a
    /// second argument: the replacement gives the attribute two arguments (`__launch_bounds__(t, m)`), or forwards
    /// `__VA_ARGS__` and the call passes at least two. Both are read with the grammar (see `MacroText`).
    static func macroGivesMinimumBlocks(_ use: AttributeMacros.Use, _ facts: CUDAFacts) -> Bool {
        guard let call = MacroText.call(use.text), let replacement = facts.macros[call.name],
              let arguments = MacroText.launchBoundsArguments(replacement) else { return false }
        if arguments.count >= 2 { return true }
        return arguments.contains { $0.type == "identifier" && $0.text == "__VA_ARGS__" } && call.arguments.count >= 2
    }
}
