import TreeSitterKit

/// `memory_level_parallelism`: several independent loads are issued before any of them is used, so their
/// latencies overlap. Requires the author's statement at the kernel (a comment about memory-level
/// parallelism, loads in flight, hiding latency, or prefetching) and a matching structure: a register array
/// filled from memory by a loop before it is consumed, two or more locals loaded from memory one after the
/// other before their first use, or 128-bit vector loads. The structure without the statement, or the
/// statement as a plan (`TODO`), does not count.
struct MemoryLevelParallelism: TechniqueDetector {
    let id = "memory_level_parallelism"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        guard let stated = MemSupport.comments(reachedFrom: kernel, facts).first(where: states) else { return [] }
        let shared = MemSupport.sharedNames(kernel, facts)
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).union(shared)
            // A register array filled by a loop from memory.
            let arrays = Set(MemSupport.registerArrays(in: f).map(\.name))
            for (target, value, op, node) in MemSupport.assignments(in: body) where op == "=" && node.type == "assignment_expression" {
                guard let root = MemSupport.base(of: target), arrays.contains(root), let value,
                      !MemSupport.memoryReads(in: value, pointers: pointers).isEmpty,
                      !MemSupport.enclosingLoops(node, within: body).isEmpty else { continue }
                return [facts.evidence(stated, "latency hiding stated"), facts.evidence(node, "loads batched into register array `\(root)`")]
            }
            // Consecutive independent loads before use.
            for block in body.preorder where block.type == "compound_statement" {
                var run: [Node] = []
                for statement in block.namedChildren {
                    if statement.type == "declaration", statement.preorder.contains(where: { $0.type == "init_declarator" }),
                       let value = statement.preorder.first(where: { $0.type == "init_declarator" })?.child(byField: "value"),
                       !MemSupport.memoryReads(in: value, pointers: pointers).isEmpty,
                       !run.contains(where: { r in MemSupport.mentions(Set(declaredNames(r)), in: value) }) {
                        run.append(statement)
                        if run.count >= 2 {
                            return [facts.evidence(stated, "latency hiding stated"), facts.evidence(run[0], "independent loads issued back to back")]
                        }
                    } else if statement.type != "comment" {
                        run = []
                    }
                }
            }
        }
        let vector = VectorizedLoads128Bit().detect(kernel: kernel, in: facts)
        if !vector.isEmpty { return [facts.evidence(stated, "latency hiding stated")] + vector.prefix(1) }
        return []
    }

    func declaredNames(_ declaration: Node) -> [String] {
        MemSupport.declarators(of: declaration).compactMap(MemSupport.declaredIdentifier)
    }

    func states(_ comment: Node) -> Bool {
        for line in comment.text.lowercased().split(separator: "\n") {
            let words = MemSupport.identifiersAndNumbers(String(line))
            if words.contains(where: { ["todo", "fixme", "could", "should", "would"].contains($0) }) { continue }
            if MemSupport.contains(words, phrase: ["memory", "level", "parallelism"]) || words.contains("mlp") { return true }
            if MemSupport.contains(words, phrase: ["in", "flight"]) || words.contains("inflight") { return true }
            if words.contains(where: { $0.hasPrefix("latenc") }) && words.contains(where: { $0.hasPrefix("hid") || $0 == "overlap" || $0 == "cover" }) { return true }
            if words.contains(where: { $0.hasPrefix("prefetch") }) { return true }
            if words.contains("outstanding") && words.contains(where: { $0.hasPrefix("load") }) { return true }
        }
        return false
    }
}
