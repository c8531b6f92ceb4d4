import TreeSitterKit

/// `loop_order_for_cache_locality`: a thread walks its data backwards (or alternates direction) so that the
/// next pass over the same data starts where this one ended, on lines still in L1/L2. Requires a descending
/// loop (`i -= stride`, `i--`) that reads global memory, plus evidence of the intent: a comment at the loop
/// (inside it or right above it) about the cache (cache, L1, L2, hits, locality), or a later ascending loop in
/// the same function that reads the same array again. Descending loops without either (a backward recurrence,
/// a reversed copy), and halving loops (`s >>= 1`) of tree reductions, do not count.
struct LoopOrderForCacheLocality: TechniqueDetector {
    let id = "loop_order_for_cache_locality"

    static let cacheWords: Set<String> = ["cache", "cached", "caches", "l1", "l2", "hit", "hits", "locality", "resident", "warm"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        let shared = MemSupport.sharedNames(kernel, facts)
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let pointers = MemSupport.pointerNames(in: f).subtracting(shared)
            for loop in body.preorder where MemSupport.isDescending(loop) {
                guard let loopBody = loop.child(byField: "body") else { continue }
                let reads = MemSupport.memoryTouches(in: loopBody, pointers: pointers)
                guard !reads.isEmpty else { continue }
                if let comment = comments(at: loop).first(where: mentionsCache) {
                    evidence.append(facts.evidence(loop, "loop runs backwards so the next pass hits the cache"))
                    evidence.append(facts.evidence(comment, "intent stated"))
                    continue
                }
                let bases = Set(reads.compactMap { MemSupport.base(of: $0) })
                let later = body.preorder.first { other in
                    other.startByte >= loop.endByte && MemSupport.isAscending(other) &&
                        other.child(byField: "body").map { !Set(MemSupport.memoryTouches(in: $0, pointers: pointers).compactMap { MemSupport.base(of: $0) }).isDisjoint(with: bases) } == true
                }
                if let later {
                    evidence.append(facts.evidence(loop, "backward pass over data read again by a forward pass"))
                    evidence.append(facts.evidence(later, "second pass starts on the recently touched end"))
                }
            }
        }
        return evidence
    }

    /// Comments inside the loop and the comment lines directly above it.
    func comments(at loop: Node) -> [Node] {
        var result = loop.preorder.filter { $0.type == "comment" }
        var anchor = loop
        // A `#pragma unroll` between the comment and the loop keeps them together.
        while let parent = anchor.parent, parent.type != "compound_statement", parent.type != "translation_unit" { anchor = parent }
        var next = anchor
        var previous = anchor.previousSibling
        while let p = previous, p.type == "comment" || p.type == "preproc_call", p.endPoint.row + 1 >= next.startPoint.row {
            if p.type == "comment" { result.append(p) }
            next = p
            previous = p.previousSibling
        }
        return result
    }

    func mentionsCache(_ comment: Node) -> Bool {
        let words = MemSupport.words(comment)
        return words.contains { Self.cacheWords.contains($0) }
    }
}
