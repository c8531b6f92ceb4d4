import TreeSitterKit

/// `persistent_threads`: the grid is sized from the device rather than from the problem (the launch's grid
/// expression derives from `multiProcessorCount`, the SM-count attribute, the occupancy calculator's
/// blocks-per-SM, or a global SM count declared elsewhere), and the kernel loops over work items (a grid-stride
/// loop at any granularity, or a loop pulling work from an atomic counter). Launches through a local or a
/// lambda/function parameter holding the kernel (`auto k = kern<Cfg>; k<<<grid, ...>>>`) count as the kernel's
/// launches (`KernelIndexFlow.launchSites`). A device query whose result is only
/// printed, a problem-sized grid, and an SM-sized grid over a kernel without a work loop do not count.
struct PersistentThreads: TechniqueDetector {
    let id = "persistent_threads"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        let workLoops = GridStrideLoop.loops(flow).map(\.node) + workQueueLoops(flow)
        guard let loop = workLoops.first else { return [] }
        var evidence: [Evidence] = []
        for (call, configuration) in flow.launchSites(of: kernel) {
            guard let grid = configuration.first, let host = enclosingFunction(call, facts) else { continue }
            let hostFlow = KernelIndexFlow(host, in: facts, reach: false)
            let origin = hostFlow.origin(grid)
            if !origin.isDisjoint(with: ["smCount", "occupancy", "smThreads", "smBlocks"]) || origin.contains(where: Self.namesSMCount) {
                evidence.append(facts.evidence(call, "grid sized from the device's SM count"))
            }
        }
        if !evidence.isEmpty { evidence.append(facts.evidence(loop, "each block loops over work items")) }
        return evidence
    }

    /// A global declared outside this source whose name says it holds the SM count (`num_SMs`, `cuda_num_SMs`,
    /// `sm_count`).
    static func namesSMCount(_ origin: String) -> Bool {
        guard origin.hasPrefix("global:") else { return false }
        let name = origin.dropFirst("global:".count).lowercased()
        return name.contains("multiprocessor") || name.hasSuffix("num_sms") || name.hasSuffix("numsms") || name.contains("sm_count")
            || name.contains("smcount") || name == "sms" || name.hasSuffix("_sms")
    }

    /// Loops whose variable is refilled from an atomic counter (`while ((t = atomicAdd(&next, 1)) < n)`).
    func workQueueLoops(_ flow: KernelIndexFlow) -> [Node] {
        flow.nodes(["for_statement", "while_statement", "do_statement"]).filter { loop in
            loop.preorder.contains { node in
                node.type == "assignment_expression" && (flow.strip(node.child(byField: "right")).map {
                    $0.type == "call_expression" && flow.calls($0, anyOf: ["atomicAdd", "atomicInc"])
                } ?? false)
            }
        }
    }

    func enclosingFunction(_ node: Node, _ facts: CUDAFacts) -> CUDAFacts.Function? {
        var current = node.parent
        while let c = current {
            if c.type == "function_definition", let function = facts.functions.first(where: { $0.node == c }) { return function }
            current = c.parent
        }
        return nil
    }
}
