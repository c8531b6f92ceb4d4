import TreeSitterKit

/// `block_per_row`: one thread block owns one row (or a fixed few rows): the row index comes from `blockIdx`
/// alone (`row = blockIdx.x`, a row pointer `x + blockIdx.x * C`, a grid-stride loop over rows starting at
/// `blockIdx.x`), and all the block's threads stride across it (`for (i = threadIdx.x; i < C; i += blockDim.x)`,
/// `block.thread_rank()` / `block.size()`, a block-size parameter). Thread-per-element and thread-per-row indexing, warp-per-row
/// kernels, and block-stride loops over a tile of compile-time size do not count.
struct BlockPerRow: TechniqueDetector {
    let id = "block_per_row"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        for loop in flow.loops() where loop.strideOperator == "+=" {
            guard let bound = loop.bound, !flow.isCompileTime(bound) else { continue }
            let start = flow.origin(loop.start), stride = flow.origin(loop.stride)
            guard start.contains(where: { $0.hasPrefix("threadIdx.") }), !start.contains("lane"), !start.contains("warp"),
                  !start.dependsOnBlockIndex, !stride.dependsOnGridDim else { continue }
            // The block's width: `blockDim.x`, a compile-time block size, or a block-size parameter; not the warp
            // size, not one, not anything thread-dependent.
            let blockStride = !stride.dependsOnThread && !RowMapping.isWarpMultiple(loop.stride, flow)
                && (flow.literalValue(loop.stride) ?? 2) > 1 && (stride.dependsOnBlockDim || flow.isCompileTime(loop.stride) || stride.contains { $0.hasPrefix("param:") })
            guard blockStride else { continue }
            let isRow: (Set<String>) -> Bool = { $0.dependsOnBlockIndex && !$0.dependsOnThread }
            if let access = RowMapping.rowAccess(in: loop.body, variable: loop.variable, flow, isRow: isRow) {
                evidence.append(facts.evidence(access, "the block's threads stride across the row its block index selects"))
            }
        }
        return evidence
    }
}
