import TreeSitterKit

/// `thread_coarsening`: each thread (or each block) works through several elements in a loop whose trip count
/// is only known at run time: a block- or warp-stride loop starting at the thread's index (`for (i = tid; i < C;
/// i += blockDim.x)`), a loop over several rows assigned to one block (start from `blockIdx`, run-time bound),
/// or a loop in which each thread stores several outputs at indices derived from its own index (through a
/// subscript or a dereferenced pointer recomputed per iteration, as in a per-thread column scan). Grid-stride
/// loops are `grid_stride_loop` instead; loops with a compile-time trip count (the four lanes of a `float4`, a
/// tile of fixed size) and reduction trees (`s >>= 1`) do not count. A loop without a condition that leaves through
/// its own `break` has a run-time trip count. A loop with no initializer (`for (; i + 1 < end; i += 2)` over an
/// index set up before it) starts where the variable stands on entry (see `KernelIndexFlow.loop`).
struct ThreadCoarsening: TechniqueDetector {
    let id = "thread_coarsening"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        var evidence: [Evidence] = []
        for loop in flow.loops() where !flow.isGridStride(loop) && ["+=", "-=", "++", "--"].contains(loop.strideOperator) {
            guard hasRuntimeTripCount(loop, flow) else { continue }
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

    /// A store to global memory at an index derived from the thread's own index and the loop variable:
    /// `out[i * n + tid] = v`, or `*p = v` through a pointer the loop recomputes from both (`p = row(y) + x`).
    func storesPerThread(_ body: Node, _ variable: String, _ flow: KernelIndexFlow) -> Node? {
        body.preorder.first { node in
            guard node.type == "assignment_expression", let left = flow.strip(node.child(byField: "left")),
                  isElementStore(left, flow), flow.sharedAccess(left) == nil else { return false }
            return flow.references(left, variable) && flow.origin(left).dependsOnThread
        }
    }

    /// An element written through a subscript (`a[k]`) or a dereference (`*p`).
    func isElementStore(_ target: Node, _ flow: KernelIndexFlow) -> Bool {
        target.type == "subscript_expression" || (target.type == "pointer_expression" && flow.operatorText(target) == "*")
    }

    /// Whether the loop's trip count is only known at run time: its bound is not a compile-time constant (the loop
    /// reading takes `end` as the bound of `i + 1 < end`), or it has no condition and leaves through a `break` of its
    /// own (`for (j = lane;; j += 32) { ...; if (done) break; }`).
    func hasRuntimeTripCount(_ loop: KernelIndexFlow.Loop, _ flow: KernelIndexFlow) -> Bool {
        if let bound = loop.bound { return !flow.isCompileTime(bound) }
        guard loop.node.child(byField: "condition") == nil else { return false }
        return loop.body?.preorder.contains { $0.type == "break_statement" && exits($0, loop.node) } == true
    }

    /// Whether a `break` leaves `loop` itself rather than a nested loop or `switch`.
    func exits(_ breakStatement: Node, _ loop: Node) -> Bool {
        var current = breakStatement.parent
        while let c = current, c != loop {
            if ["for_statement", "while_statement", "do_statement", "for_range_loop", "switch_statement"].contains(c.type) { return false }
            current = c.parent
        }
        return current != nil
    }
}
