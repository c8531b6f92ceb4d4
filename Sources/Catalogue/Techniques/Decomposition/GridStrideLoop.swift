import TreeSitterKit

/// `grid_stride_loop`: a loop in the kernel (or a device helper it calls, or a loop macro it uses) whose
/// induction variable advances by the size of the whole grid: `i += blockDim.x * gridDim.x`, `row += gridDim.x`,
/// `w += gridDim.x * warpsPerBlock`, `b += gridDim.y`, a stride variable computed from `gridDim`, or a
/// cooperative-groups grid's `size()`. The stride is read through variables, macros and cooperative-groups
/// accessors. Loops that only compare against `gridDim` (`for (b = 0; b < gridDim.x; ++b)`) or that step by the
/// block size are not grid-stride loops.
struct GridStrideLoop: TechniqueDetector {
    let id = "grid_stride_loop"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        return Self.loops(flow).map { loop in
            let granularity = flow.origin(loop.stride).dependsOnBlockDim ? "threads" : "blocks or warps"
            return facts.evidence(loop.node, "`\(loop.variable)` advances by the grid's \(granularity)")
        }
    }

    static func loops(_ flow: KernelIndexFlow) -> [KernelIndexFlow.Loop] {
        flow.loops().filter { flow.isGridStride($0) }
    }
}
