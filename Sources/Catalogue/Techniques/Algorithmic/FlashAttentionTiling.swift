import TreeSitterKit

/// `flash_attention_tiling`: one kernel (with the device helpers it calls) walks the keys tile by tile,
/// computes the query-key dot products for the tile, keeps softmax statistics online and accumulates the
/// probability-weighted values into an output accumulator that is rescaled whenever the running max grows, so
/// the T x T score matrix is never written out. Requires all of: a dot-product accumulation of two different
/// arrays in a loop (QK^T), an online-softmax rescale of an output accumulator (an array element, or a second
/// rescaled value besides the running sum), and tiles staged in `__shared__` memory or a loop over tiles that
/// synchronises the block.
/// Rejected: an online softmax alone (no QK^T, no value accumulation), and attention that computes all scores,
/// then a multi-pass softmax, then P@V.
struct FlashAttentionTiling: TechniqueDetector {
    let id = "flash_attention_tiling"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let rescales = OnlineSoftmax.rescales(kernel, facts)
        let targets = Set(rescales.map(\.target))
        guard rescales.contains(where: \.isElement) || targets.count >= 2 else { return [] }
        let dots = Self.dotProducts(kernel, facts)
        guard let dot = dots.first else { return [] }
        let tiled = !facts.sharedDeclarations(in: kernel).isEmpty
            || facts.nodes(in: kernel, types: ["call_expression"]).contains { KernelAST.callee($0) == "__syncthreads" }
            || facts.nodes(in: kernel, types: ["declaration"]).contains { $0.children.contains { $0.type == "storage_class_specifier" && $0.text == "__shared__" } }
        guard tiled else { return [] }
        var evidence = [facts.evidence(dot, "query-key dot product accumulated per tile")]
        if let accumulator = rescales.first(where: \.isElement) ?? rescales.last {
            evidence.append(facts.evidence(accumulator.node, "output accumulator rescaled online"))
        }
        return evidence
    }

    /// `acc += a[..] * b[..]` (or `acc = fmaf(a[..], b[..], acc)`) inside a loop, with two different arrays.
    static func dotProducts(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [Node] {
        var result: [Node] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            for a in KernelAST.assignments(in: body) {
                guard !KernelAST.enclosingLoops(a.node, within: body).isEmpty else { continue }
                var operands: [Node] = []
                let v = KernelAST.unwrap(a.value)
                if a.op == "+=" || a.op == "-=", v.type == "binary_expression", KernelAST.op(v) == "*" {
                    operands = OnlineSoftmax.productFactors(v)
                } else if a.op == "=", v.type == "call_expression", let callee = KernelAST.callee(v),
                          ["fmaf", "fma", "__fmaf_rn"].contains(callee), let args = v.child(byField: "arguments"),
                          args.namedChildCount == 3, let last = args.namedChild(2), KernelAST.compact(last) == KernelAST.compact(a.target) {
                    operands = Array(args.namedChildren.prefix(2))
                } else if a.op == "=", v.type == "binary_expression", KernelAST.op(v) == "+",
                          let l = v.child(byField: "left"), KernelAST.compact(l) == KernelAST.compact(a.target),
                          let r = v.child(byField: "right"), KernelAST.op(KernelAST.unwrap(r)) == "*" {
                    operands = OnlineSoftmax.productFactors(r)
                }
                let bases = Set(operands.compactMap { o -> String? in
                    let u = KernelAST.unwrap(o)
                    guard u.type == "subscript_expression" else { return nil }
                    var base = u
                    while base.type == "subscript_expression", let inner = base.child(byField: "argument") { base = inner }
                    return base.text
                })
                if bases.count >= 2 { result.append(a.node) }
            }
        }
        return result
    }
}
