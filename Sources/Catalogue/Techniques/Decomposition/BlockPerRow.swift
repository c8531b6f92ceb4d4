import TreeSitterKit

/// `block_per_row`: one thread block owns one row (or a fixed few rows): the row index comes from `blockIdx`
/// alone (`row = blockIdx.x`, a row pointer `x + blockIdx.x * C`, a grid-stride loop over rows starting at
/// `blockIdx.x`), and all the block's threads stride across it (`for (i = threadIdx.x; i < C; i += blockDim.x)`,
/// `block.thread_rank()` / `block.size()`, a block-size parameter), or, unrolled, index it as
/// `it * kThreads + threadIdx.x` in a loop over `it` (then the trip count may be a compile-time constant). Thread-per-element and thread-per-row indexing, warp-per-row
/// kernels, and block-stride loops over a tile of compile-time size do not count.
struct BlockPerRow: TechniqueDetector {
    let id = "block_per_row"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        let isRow: (Set<String>) -> Bool = { $0.dependsOnBlockIndex && !$0.dependsOnThread }
        for loop in flow.loops() {
            // `for (it = 0; it < kIters; ++it) { v = it * kThreads + threadIdx.x; row[v] }`: the block stride is in
            // the index, and the trip count (the row length over the block width) may be a compile-time constant.
            if loop.strideOperator != "+=" || !flow.origin(loop.start).contains(where: { $0.hasPrefix("threadIdx.") }) {
                if RowMapping.hasStridedIndex(in: loop.body, variable: loop.variable, flow, isThread: isBlockThread,
                                              isStride: { isBlockWidth($0, flow) }),
                   let access = RowMapping.rowAccess(in: loop.body, variable: loop.variable, flow, isRow: isRow) {
                    evidence.append(facts.evidence(access, "the block's threads stride (unrolled) across the row its block index selects"))
                }
                continue
            }
            guard let bound = loop.bound, !flow.isCompileTime(bound) else { continue }
            let start = flow.origin(loop.start), stride = flow.origin(loop.stride)
            guard start.contains(where: { $0.hasPrefix("threadIdx.") }), !start.contains("lane"), !start.contains("warp"),
                  !start.dependsOnBlockIndex else { continue }
            guard let strideNode = loop.stride, isBlockWidth(strideNode, flow), !stride.dependsOnGridDim else { continue }
            if let access = RowMapping.rowAccess(in: loop.body, variable: loop.variable, flow, isRow: isRow) {
                evidence.append(facts.evidence(access, "the block's threads stride across the row its block index selects"))
            }
        }
        return evidence
    }

    /// A thread's index within the block (`threadIdx.x`, `tid`), not a lane or a warp number, not a global index.
    func isBlockThread(_ origin: Set<String>) -> Bool {
        origin.contains { $0.hasPrefix("threadIdx.") } && !origin.contains("lane") && !origin.contains("warp") && !origin.dependsOnBlockIndex
    }

    /// The block's width: `blockDim.x`, a compile-time block size, or a block-size parameter; not the warp
    /// size, not one, not anything thread-dependent.
    func isBlockWidth(_ node: Node, _ flow: KernelIndexFlow) -> Bool {
        let origin = flow.origin(node)
        return !origin.dependsOnThread && !RowMapping.isWarpMultiple(node, flow) && (flow.literalValue(node) ?? 2) > 1
            && (origin.dependsOnBlockDim || flow.isCompileTime(node) || origin.contains { $0.hasPrefix("param:") })
    }
}
