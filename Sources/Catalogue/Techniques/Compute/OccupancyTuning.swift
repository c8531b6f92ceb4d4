import TreeSitterKit

/// `occupancy_tuning`: explicit control of how many blocks are resident per SM, decided from code only
/// (comments play no part): `__launch_bounds__` with a minimum-blocks argument (directly, through macros, or a
/// macro expanding to the attribute), a register cap on the kernel (`__maxnreg__(N)`), or a launch of the kernel
/// (directly or through a local or parameter holding it) whose block size derives from the SM's limits
/// (`maxThreadsPerMultiProcessor`, the occupancy calculator, e.g. `cudaOccupancyMaxPotentialBlockSize(&g, &b, k)`).
/// `__launch_bounds__` with only a thread count, a grid (not block) sized from the SM count or the occupancy
/// calculator (that is `persistent_threads`), an occupancy query whose result is only printed or checked, and any
/// of these words in a comment do not count.
struct OccupancyTuning: TechniqueDetector {
    let id = "occupancy_tuning"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        if let (node, arguments) = LaunchBounds.bounds(of: kernel, in: facts), Self.hasMinimumBlocks(arguments, node, facts) {
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

    /// Whether launch-bounds arguments have a second (minimum blocks per SM) argument.
    static func hasMinimumBlocks(_ arguments: String, _ node: Node, _ facts: CUDAFacts) -> Bool {
        if node.type == "launch_bounds" { return node.namedChildren.count >= 2 }
        var depth = 0
        for character in arguments {
            switch character {
            case "(", "<", "[": depth += 1
            case ")", ">", "]": depth -= 1
            case ",": if depth == (arguments.hasPrefix("__launch_bounds__") ? 1 : 0) { return true }
            default: break
            }
        }
        return false
    }
}
