import TreeSitterKit

/// `thread_coarsening`: each thread (or each block) works through several elements in a loop whose trip count
/// is only known at run time: a block- or warp-stride loop starting at the thread's index (`for (i = tid; i < C;
/// i += blockDim.x)`), a loop over several rows assigned to one block (start from `blockIdx`, run-time bound),
/// or a loop in which each thread stores several outputs at indices derived from its own index. Grid-stride
/// loops are `grid_stride_loop` instead; loops with a compile-time trip count (the four lanes of a `float4`, a
/// tile of fixed size) and reduction trees (`s >>= 1`) do not count.
struct ThreadCoarsening: TechniqueDetector {
    let id = "thread_coarsening"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        for loop in flow.loops() where !flow.isGridStride(loop) && ["+=", "-=", "++", "--"].contains(loop.strideOperator) {
            guard let bound = loop.bound, !flow.isCompileTime(bound) else { continue }
            let start = flow.origin(loop.start)
            if start.dependsOnThread {
                evidence.append(facts.evidence(loop.node, "each thread strides through a run-time number of elements from its own index"))
            } else if start.dependsOnBlockIndex, !start.dependsOnGridDim,
                      let body = loop.body, body.preorder.contains(where: { ($0.type == "field_expression" || $0.type == "identifier") && flow.origin($0).dependsOnThread }) {
                evidence.append(facts.evidence(loop.node, "each block works through several rows"))
            } else if flow.isCompileTime(loop.start), let body = loop.body,
                      let store = storesPerThread(body, loop.variable, flow) {
                evidence.append(facts.evidence(store, "each thread writes several outputs in a run-time loop"))
            }
        }
        return evidence
    }

    /// A store to global memory at an index derived from the thread's own index and the loop variable.
    func storesPerThread(_ body: Node, _ variable: String, _ flow: KernelIndexFlow) -> Node? {
        body.preorder.first { node in
            guard node.type == "assignment_expression", let left = flow.strip(node.child(byField: "left")),
                  left.type == "subscript_expression", flow.sharedAccess(left) == nil else { return false }
            return flow.references(left, variable) && flow.origin(left).dependsOnThread
        }
    }
}
