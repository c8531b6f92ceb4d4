import TreeSitterKit

/// More arithmetic shapes `KernelFusion` recognises as model-level operations, beside the ones in its own file:
/// probabilities zeroed right of the diagonal (a causal mask applied after the softmax), a scale parameter folded
/// into the scores before `exp`, GELU by its constants, a bias broadcast along the rows, a gradient scaled before
/// an optimizer's moment updates, and a tensor-core matmul (`wmma::mma_sync`) with a bias added in its epilogue.
extension KernelFusion {
    /// `(j <= t) ? exp(...) * inv : 0`: a position comparison selecting between a probability and zero.
    static func maskedProbability(in body: Node, _ facts: CUDAFacts) -> Node? {
        for n in body.preorder where n.type == "conditional_expression" {
            guard let condition = n.child(byField: "condition"), isPositionComparison(condition),
                  let consequence = n.child(byField: "consequence"), let alternative = n.child(byField: "alternative") else { continue }
            for (value, other) in [(consequence, alternative), (alternative, consequence)] where isZero(other) {
                if KernelAST.containsCall(value, KernelAST.expCalls, facts: facts) { return n }
            }
        }
        return nil
    }

    /// `a <= b`, `a > b` between two non-literal operands.
    static func isPositionComparison(_ node: Node) -> Bool {
        let n = KernelAST.unwrap(node)
        guard n.type == "binary_expression", ["<", ">", "<=", ">="].contains(KernelAST.op(n) ?? ""),
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return false }
        return KernelAST.unwrap(l).type != "number_literal" && KernelAST.unwrap(r).type != "number_literal"
    }

    /// A float parameter multiplied into a score that reaches `exp`: inside its argument, or through a local
    /// (`float v = x[j] * scale; ... expf(v - m)`).
    static func foldedScale(in body: Node, floatParameters: Set<String>, _ facts: CUDAFacts) -> Node? {
        func scales(_ n: Node) -> Bool {
            guard n.type == "binary_expression", KernelAST.op(n) == "*" else { return false }
            let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0.map(KernelAST.unwrap) }
            return sides.contains { $0.type == "identifier" && floatParameters.contains($0.text) }
                && sides.contains { $0.type == "subscript_expression" || $0.type == "call_expression" }
        }
        let scaledLocals = Set(KernelAST.assignments(in: body).compactMap { a -> String? in
            guard let name = a.name, scales(KernelAST.unwrap(a.value)) else { return nil }
            return name
        })
        for call in KernelAST.calls(in: body, named: KernelAST.expCalls, facts: facts) {
            guard let args = call.child(byField: "arguments") else { continue }
            if args.preorder.contains(where: scales) { return call }
            if args.preorder.contains(where: { $0.type == "identifier" && scaledLocals.contains($0.text) }) { return call }
        }
        return nil
    }

    /// The constants of the tanh form of GELU (sqrt(2/pi) = 0.79788..., 0.044715) or of its sigmoid form (1.702).
    static func geluConstant(in body: Node) -> Node? {
        body.preorder.first { n in
            guard n.type == "number_literal", let value = KernelAST.number(n.text) else { return false }
            return abs(value - 0.044715) < 1e-6 || abs(value - 0.7978845608) < 1e-4 || abs(value - 1.702) < 1e-6
        }
    }

    /// `out[i] + bias[i % n]` (also `__hadd2(out[i], __ldg(&bias[i % n]))`): an array read along the rows, added to
    /// another read at the flat index the modulo is taken of.
    static func broadcastBias(in body: Node, declared: [String: String]) -> Node? {
        for n in body.preorder {
            guard let sum = KernelAST.arithmetic(n), sum.op == "+" else { continue }
            let reads = [sum.left, sum.right].compactMap(elementRead)
            guard reads.count == 2, reads[0].array != reads[1].array,
                  declared[reads[0].array] != nil, declared[reads[1].array] != nil else { continue }
            for (row, flat) in [(reads[0], reads[1]), (reads[1], reads[0])] {
                let index = KernelAST.unwrap(row.index)
                if index.type == "binary_expression", KernelAST.op(index) == "%",
                   let dividend = index.child(byField: "left"), KernelAST.compact(dividend) == KernelAST.compact(flat.index) {
                    return n
                }
            }
        }
        return nil
    }

    /// `a[i]`, `__ldg(&a[i])`, `__ldg(a + i)` -> (a, i).
    static func elementRead(_ node: Node) -> (array: String, index: Node)? {
        var n = KernelAST.unwrap(node)
        if n.type == "call_expression", let name = KernelAST.callee(n), MemSupport.loadIntrinsics.contains(name),
           let argument = n.child(byField: "arguments")?.namedChild(0) {
            n = KernelAST.unwrap(argument)
            if n.type == "pointer_expression", let inner = n.child(byField: "argument") { n = KernelAST.unwrap(inner) }
        }
        guard n.type == "subscript_expression", let array = n.child(byField: "argument"), array.type == "identifier",
              let index = n.child(byField: "indices")?.namedChild(0) else { return nil }
        return (array.text, index)
    }

    /// In an optimizer step, the gradient (the value squared for the second moment, `g * g`) read as a product of
    /// a load and a scale (`g = grad[i] * clip_coef`, `grad_scale * (float)grads[i]`).
    static func gradientScale(in body: Node) -> Node? {
        let assignments = KernelAST.assignments(in: body)
        for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "*" && n.parent.map({ KernelAST.op($0) != "*" }) ?? true {
            // A product with the same name twice among its factors: `g * g`, `(1 - b2) * g * g`.
            let names = OnlineSoftmax.productFactors(n).map(KernelAST.unwrap).filter { $0.type == "identifier" }.map(\.text)
            guard let name = names.first(where: { candidate in names.filter { $0 == candidate }.count >= 2 }) else { continue }
            for a in assignments where a.name == name && a.node.startByte < n.startByte {
                let v = KernelAST.unwrap(a.value)
                guard v.type == "binary_expression", KernelAST.op(v) == "*" else { continue }
                let sides = [v.child(byField: "left"), v.child(byField: "right")].compactMap { $0.map(KernelAST.unwrap) }
                let loads = sides.filter { side in side.preorder.contains { $0.type == "subscript_expression" } }
                let scalars = sides.filter { $0.type == "identifier" }
                if loads.count == 1, scalars.count == 1 { return a.node }
            }
        }
        return nil
    }

    /// `wmma::mma_sync(...)` (or `nvcuda::wmma::mma_sync`): a tensor-core matrix product.
    static func tensorCoreProducts(in body: Node) -> [Node] {
        body.preorder.filter { n in
            n.type == "call_expression" && KernelAST.callee(n).map { KernelAST.bare($0) == "mma_sync" } == true
        }
    }

    /// After the last tensor-core product, an element of the tile the accumulator was stored to (first argument of
    /// `store_matrix_sync`) added to an element of another array: a bias in the GEMM's epilogue.
    static func epilogueBias(in body: Node, after product: Node, declared: [String: String]) -> Node? {
        let stores = body.preorder.filter { n in
            n.type == "call_expression" && n.startByte > product.endByte
                && KernelAST.callee(n).map { KernelAST.bare($0) == "store_matrix_sync" } == true
        }
        let tiles = Set(stores.compactMap { call -> String? in
            guard let first = call.child(byField: "arguments")?.namedChild(0) else { return nil }
            return MemSupport.base(of: first)
        })
        guard !tiles.isEmpty else { return nil }
        for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "+" && n.startByte > product.endByte {
            let reads = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0 }.compactMap(elementRead)
            guard reads.count == 2 else { continue }
            let arrays = reads.map(\.array)
            if arrays.contains(where: tiles.contains), arrays.contains(where: { !tiles.contains($0) && declared[$0] != nil }) { return n }
        }
        return nil
    }
}
