import TreeSitterKit

/// `online_softmax`: softmax statistics computed in one pass (Milakov & Gimelshein): a running maximum is kept,
/// and whenever it grows, the running sum (or an output accumulator) is rescaled by `exp(m_old - m_new)`
/// before new terms are added; merging `(max, sum)` pairs across lanes or tiles the same way counts too. Found
/// in the kernel or a device helper it calls: an assignment that multiplies a value by an exponential of the
/// difference of two running-max values (directly, through a variable holding the factor, or as `*=`), where
/// a running max is assigned from `fmaxf`/`max`/a compare-and-select, copied from one, or reloaded from the
/// array one was stored to.
/// Rejected: the classic passes (max first, then `sum += exp(x - max)`), and exponentials of data minus the max
/// that only normalise outputs.
struct OnlineSoftmax: TechniqueDetector {
    let id = "online_softmax"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        Self.rescales(kernel, facts).map { facts.evidence($0.node, "running sum rescaled by exp(old max - new max)") }
    }

    struct Rescale {
        let node: Node
        /// The rescaled value as written (`l`, `acc[d]`).
        let target: String
        let isElement: Bool
    }

    static func rescales(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [Rescale] {
        facts.reach(kernel).flatMap { f -> [Rescale] in
            guard let body = f.body else { return [] }
            return rescales(in: body, facts)
        }
    }

    static func rescales(in body: Node, _ facts: CUDAFacts) -> [Rescale] {
        let assignments = KernelAST.assignments(in: body)
        // Running maxima (plain variables or struct fields, keyed by their spelling).
        func key(_ node: Node) -> String? {
            let n = KernelAST.unwrap(node)
            if n.type == "pointer_expression" { return KernelAST.op(n) == "*" ? KernelAST.compact(n) : nil }
            return n.type == "identifier" || n.type == "field_expression" ? KernelAST.compact(n) : nil
        }
        var maxVars = Set<String>()
        for a in assignments where a.op == "=" {
            guard let name = key(a.target) else { continue }
            let v = KernelAST.unwrap(a.value)
            if v.type == "call_expression", let callee = KernelAST.callee(v), KernelAST.matches(callee, KernelAST.maxCalls, facts) {
                maxVars.insert(name)
            } else if v.type == "conditional_expression", let c = v.child(byField: "condition"),
                      let o = KernelAST.op(KernelAST.unwrap(c)), [">", "<", ">=", "<="].contains(o) {
                maxVars.insert(name)
            } else if let guardIf = enclosingIf(a.node), let c = guardIf.child(byField: "condition"),
                      c.preorder.contains(where: { $0.type == "binary_expression" && [">", "<", ">=", "<="].contains(KernelAST.op($0) ?? "") }),
                      c.preorder.contains(where: { key($0) == name }),
                      !Set(KernelAST.identifiers(in: c)).isDisjoint(with: KernelAST.identifiers(in: a.value)) {
                maxVars.insert(name)  // if (v > m) m = v;
            }
        }
        // Arrays a running max is stored to (reloaded later as the previous max).
        var maxArrays = Set<String>()
        for a in assignments where a.target.type == "subscript_expression" {
            let v = KernelAST.unwrap(a.value)
            if let k = key(v), maxVars.contains(k), let base = a.target.child(byField: "argument") { maxArrays.insert(base.text) }
        }
        var maxLike = maxVars
        // Maxima being merged (`m = fmaxf(a.m, b.m)` over two (max, sum) pairs) and a value promoted to be the new
        // maximum (`if (v > ms.m) { ...; ms.m = v; }`) are maxima as well.
        for a in assignments where a.op == "=" {
            guard let name = key(a.target), maxVars.contains(name) else { continue }
            let v = KernelAST.unwrap(a.value)
            if v.type == "call_expression", let args = v.child(byField: "arguments") {
                for arg in args.namedChildren where KernelAST.unwrap(arg).type == "field_expression" { maxLike.insert(KernelAST.compact(KernelAST.unwrap(arg))) }
            } else if v.type == "identifier", enclosingIf(a.node) != nil {
                maxLike.insert(KernelAST.compact(v))
            }
        }
        for _ in 0..<2 {
            for a in assignments where a.op == "=" {
                guard let name = key(a.target) else { continue }
                let v = KernelAST.unwrap(a.value)
                if let k = key(v), maxLike.contains(k) { maxLike.insert(name) }
                if v.type == "subscript_expression", let base = v.child(byField: "argument"), maxArrays.contains(base.text) { maxLike.insert(name) }
            }
        }
        func isMaxLike(_ node: Node) -> Bool {
            let n = KernelAST.unwrap(node)
            if let k = key(n) { return maxLike.contains(k) }
            if n.type == "subscript_expression", let base = n.child(byField: "argument") { return maxArrays.contains(base.text) }
            return false
        }
        func isCorrection(_ node: Node) -> Bool {
            let n = KernelAST.unwrap(node)
            guard n.type == "call_expression", let callee = KernelAST.callee(n), KernelAST.matches(callee, KernelAST.expCalls, facts),
                  let args = n.child(byField: "arguments") else { return false }
            return args.preorder.contains { d in
                guard d.type == "binary_expression", KernelAST.op(d) == "-",
                      let l = d.child(byField: "left"), let r = d.child(byField: "right") else { return false }
                return isMaxLike(l) && isMaxLike(r) && KernelAST.compact(l) != KernelAST.compact(r)
            }
        }
        var factors = Set<String>()
        for a in assignments where a.op == "=" {
            if let name = key(a.target), isCorrection(a.value) { factors.insert(name) }
        }
        func isFactor(_ node: Node) -> Bool {
            let n = KernelAST.unwrap(node)
            return isCorrection(n) || key(n).map(factors.contains) == true
        }
        var result: [Rescale] = []
        for a in assignments {
            let isElement = a.target.type == "subscript_expression" || a.target.type == "field_expression"
            if a.op == "*=", isFactor(a.value) {
                result.append(Rescale(node: a.node, target: KernelAST.compact(a.target), isElement: isElement))
                continue
            }
            guard a.op == "=" || a.op == "+=" else { continue }
            var found = false
            for product in [a.value] + a.value.preorder.filter({ $0.type == "binary_expression" && KernelAST.op($0) == "*" }) {
                let chain = productFactors(product)
                guard chain.count >= 2, chain.contains(where: isFactor) else { continue }
                if chain.contains(where: { !isFactor($0) && !isConstant($0) }) { found = true; break }
            }
            if !found, a.value.type == "call_expression", let callee = KernelAST.callee(a.value), ["fmaf", "fma", "__fmaf_rn"].contains(callee),
               let args = a.value.child(byField: "arguments"), args.namedChildren.prefix(2).contains(where: isFactor) {
                found = true
            }
            if found { result.append(Rescale(node: a.node, target: KernelAST.compact(a.target), isElement: isElement)) }
        }
        return result
    }

    static func productFactors(_ node: Node) -> [Node] {
        let n = KernelAST.unwrap(node)
        guard n.type == "binary_expression", KernelAST.op(n) == "*",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return [n] }
        return productFactors(l) + productFactors(r)
    }

    static func isConstant(_ node: Node) -> Bool {
        !node.preorder.contains { $0.type == "identifier" || $0.type == "subscript_expression" }
    }

    static func enclosingIf(_ node: Node) -> Node? {
        var current = node.parent
        for _ in 0..<4 {
            guard let c = current else { return nil }
            if c.type == "if_statement" { return c }
            current = c.parent
        }
        return nil
    }
}
