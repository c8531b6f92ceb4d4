import TreeSitterKit

/// `loop_order_for_cache_locality`: a thread walks its data backwards (or alternates direction) so that the
/// next pass over the same data starts where this one ended, on lines still in L1/L2. Requires a descending
/// loop (`i -= stride`, `i--`) that reads global memory, followed by an ascending loop that reads the same
/// array again: later in the same function, or, when the descending loop is in a device helper, later in the
/// calling function on the array the call passed to the helper (`row_stats(x + b * n, n)` then a forward loop
/// over `x`). Decided from the loops and their accesses only; comments play no part. Descending loops without
/// a later forward pass (a backward recurrence, a reversed copy) and halving loops (`s >>= 1`) of tree
/// reductions do not count.
struct LoopOrderForCacheLocality: TechniqueDetector {
    let id = "loop_order_for_cache_locality"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        let shared = MemSupport.sharedNames(kernel, facts)
        let reached = facts.reach(kernel)
        for f in reached {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            for loop in body.preorder where MemSupport.isDescending(loop) {
                guard let loopBody = loop.child(byField: "body") else { continue }
                let reads = MemSupport.memoryTouches(in: loopBody, pointers: pointers)
                guard !reads.isEmpty else { continue }
                let bases = Set(reads.compactMap { MemSupport.base(of: $0) })
                if let later = forwardPass(in: body, after: loop.endByte, over: bases, pointers: pointers) {
                    evidence.append(facts.evidence(loop, "backward pass over data read again by a forward pass"))
                    evidence.append(facts.evidence(later, "second pass starts on the recently touched end"))
                    continue
                }
                // A helper's backward pass: the caller's forward pass over the array it handed to the helper.
                guard f.node != kernel.node, let parameters = parameterNames(f) else { continue }
                let positions = parameters.enumerated().filter { bases.contains($0.element) }.map(\.offset)
                for caller in reached where caller.node != f.node {
                    guard let callerBody = caller.body else { continue }
                    let callerPointers = MemSupport.pointerNames(in: caller).subtracting(shared)
                    for call in callerBody.preorder where call.type == "call_expression" {
                        guard let callee = call.child(byField: "function"), MemSupport.calleeSpelling(callee) == f.name,
                              let arguments = call.child(byField: "arguments")?.namedChildren else { continue }
                        let passed = Set(positions.filter { $0 < arguments.count }.compactMap { MemSupport.base(of: arguments[$0]) })
                            .intersection(callerPointers)
                        guard !passed.isEmpty,
                              let later = forwardPass(in: callerBody, after: call.endByte, over: passed, pointers: callerPointers) else { continue }
                        evidence.append(facts.evidence(loop, "backward pass in a helper over data the caller reads again forwards"))
                        evidence.append(facts.evidence(later, "second pass starts on the recently touched end"))
                        break
                    }
                }
            }
        }
        return evidence
    }

    /// The first ascending loop after `offset` in `body` that reads one of `bases`.
    func forwardPass(in body: Node, after offset: Int, over bases: Set<String>, pointers: Set<String>) -> Node? {
        body.preorder.first { other in
            other.startByte >= offset && MemSupport.isAscending(other) &&
                other.child(byField: "body").map {
                    !Set(MemSupport.memoryTouches(in: $0, pointers: pointers).compactMap { MemSupport.base(of: $0) }).isDisjoint(with: bases)
                } == true
        }
    }

    /// Parameter names of a function, in order (`""` for an unnamed one; see `KernelIndexFlow.parameters(of:)`).
    func parameterNames(_ function: CUDAFacts.Function) -> [String]? {
        let parameters = KernelIndexFlow.parameters(of: function.node)
        return parameters.isEmpty ? nil : parameters.map(\.name)
    }
}
