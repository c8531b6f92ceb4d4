import TreeSitterKit

/// `warp_per_row`: one warp owns one row (token, output vector): the row index comes from the warp number
/// (`(blockIdx.x * blockDim.x + threadIdx.x) / 32`, `blockIdx.x * warpsPerBlock + threadIdx.x / warpSize`,
/// a 32-thread tile's `meta_group_rank()`, or `threadIdx.y` in 32-wide blocks), and the warp's lanes stride
/// across the row (`for (i = lane; i < C; i += 32)`, `i += warp.size()`, or unrolled as `row[it * 32 + lane]` in a
/// loop over `it`, whatever its trip count) reading or writing it. A warp number
/// used only to pick a shared-memory slot, a lane loop over a row chosen by the block, and thread-per-row
/// kernels do not count.
struct WarpPerRow: TechniqueDetector {
    let id = "warp_per_row"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        let isLaneRow: (Set<String>) -> Bool = { $0.contains("warp") && !$0.contains("lane") }
        for loop in flow.loops() {
            // `for (it = 0; it < N; ++it) { e = it * 32 + lane; row[e] }`: the lane stride is in the index.
            if !(loop.strideOperator == "+=" && RowMapping.isWarpMultiple(loop.stride, flow)) {
                let isLane: (Set<String>) -> Bool = { $0.contains("lane") && !$0.contains("warp") && !$0.dependsOnBlockIndex }
                if RowMapping.hasStridedIndex(in: loop.body, variable: loop.variable, flow, isThread: isLane,
                                              isStride: { RowMapping.isWarpMultiple($0, flow) }),
                   let access = RowMapping.rowAccess(in: loop.body, variable: loop.variable, flow, isRow: isLaneRow) {
                    evidence.append(facts.evidence(access, "the warp's lanes stride (unrolled) across the row its warp number selects"))
                }
                continue
            }
            guard let bound = loop.bound, !flow.isCompileTime(bound) else { continue }
            let start = flow.origin(loop.start)
            let isRow: (Set<String>) -> Bool
            if start.contains("lane"), !start.contains("warp") {
                isRow = isLaneRow
            } else if start.contains("threadIdx.x"), !start.dependsOnBlockIndex, !start.contains("threadIdx.y") {
                // 32 x N blocks: threadIdx.x is the lane, threadIdx.y the warp.
                isRow = { $0.contains("threadIdx.y") && !$0.contains("threadIdx.x") }
            } else {
                continue
            }
            if let access = RowMapping.rowAccess(in: loop.body, variable: loop.variable, flow, isRow: isRow) {
                evidence.append(facts.evidence(access, "the warp's lanes stride across the row its warp number selects"))
            }
        }
        return evidence
    }
}
