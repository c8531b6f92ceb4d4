import TreeSitterKit

/// `kernel_fusion`: one kernel (with the device helpers it calls) carries out two or more distinct model-level
/// operations that would otherwise be separate kernels. Each operation is recognised by its arithmetic shape:
/// - softmax: `exp(x - max)` with a max computed in the kernel;
/// - normalisation: `rsqrt(var + eps)` or `1 / sqrt(var + eps)`;
/// - activation: `tanh`/`erf` (GELU), `max(x, 0)` (ReLU), `x / (1 + exp(-x))` (SiLU);
/// - cross-entropy: a `log` together with a lookup indexed by an integer target array;
/// - matmul: a dot product of two different arrays accumulated in a loop; a bias folded into it (the
///   accumulator seeded from or added to another array) counts as a second operation;
/// - residual add: an element of two different input arrays added at the same index;
/// - optimizer step: an update divided by `sqrt(v) + eps`;
///   (both also when the operator is an intrinsic: `__hadd2(r[j], x[j])`, `__fdividef(m, sqrtf(v) + eps)`);
/// - causal mask: `-INFINITY`/`-FLT_MAX` assigned under a position comparison, or probabilities zeroed by one
///   (`(j <= t) ? exp(...) * inv : 0`), and the attention scale (a scale argument multiplied into the scores that
///   reach `exp`, inside its argument or through a local): both count only next to a softmax;
/// - activation also by GELU's constants (0.044715, sqrt(2/pi), 1.702), so a hand-written tanh counts;
/// - bias: one broadcast along the rows (`out[i] + bias[i % n]`), or added to a tensor-core accumulator's tile in
///   the GEMM epilogue (`wmma::mma_sync` is a matmul);
/// - gradient scale: the gradient that the second moment squares read as a load times a scale (unscale/clip),
///   counted only next to an optimizer step.
/// The shapes beyond the first list live in `FusedOperationShapes.swift`.
/// Rejected: a single operation split into steps (layernorm's mean, rstd and normalise are one operation),
/// dtype conversions, and a kernel merely named or commented "fused".
struct KernelFusion: TechniqueDetector {
    let id = "kernel_fusion"

    enum Operation: String, CaseIterable {
        case softmax, normalization, activation, crossEntropy = "cross-entropy", matmul, bias, residual, optimizer, causalMask = "causal mask"
        case scale = "attention scale"
        case gradientScale = "gradient scale"
    }

    static let sqrtCalls: Set<String> = ["sqrtf", "sqrt", "__fsqrt_rn", "hsqrt"]
    static let rsqrtCalls: Set<String> = ["rsqrtf", "rsqrt", "__frsqrt_rn", "hrsqrt"]
    static let logCalls: Set<String> = ["logf", "__logf", "log", "log2f", "__log2f", "hlog"]
    static let geluCalls: Set<String> = ["tanhf", "tanh", "__tanhf", "erff", "erf", "erfcf", "normcdff"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let found = Self.operations(kernel, facts)
        guard found.count >= 2 else { return [] }
        return found.sorted { $0.key.rawValue < $1.key.rawValue }.map { op, node in
            facts.evidence(node, "fused operation: \(op.rawValue)")
        }
    }

    static func operations(_ kernel: CUDAFacts.Function, _ facts: CUDAFacts) -> [Operation: Node] {
        var found: [Operation: Node] = [:]
        let reached = facts.reach(kernel)
        let declared = reached.reduce(into: [String: String]()) { result, f in
            result.merge(KernelAST.declaredTypes(f)) { a, _ in a }
        }
        let hasMax = reached.contains { f in
            guard let body = f.body else { return false }
            return KernelAST.containsCall(body, KernelAST.maxCalls.union(["greater"]), facts: facts)
                || body.preorder.contains { $0.type == "conditional_expression" }
                || body.preorder.contains { $0.type == "if_statement" && ($0.child(byField: "condition")?.text.contains(">" as Character) ?? false) }
        }
        for f in reached {
            guard let body = f.body else { continue }
            for call in body.preorder where call.type == "call_expression" {
                guard let name = KernelAST.callee(call), let args = call.child(byField: "arguments") else { continue }
                let argument = args.namedChild(0).map(KernelAST.unwrap)
                if KernelAST.matches(name, KernelAST.expCalls, facts) {
                    let subtracts = args.preorder.contains { $0.type == "binary_expression" && KernelAST.op($0) == "-" }
                    let negates = argument.map { $0.type == "unary_expression" && KernelAST.op($0) == "-" } ?? false
                    if subtracts, hasMax { found[.softmax] = found[.softmax] ?? call }
                    if negates, let parent = enclosingSum(call), parent.preorder.contains(where: { $0.type == "number_literal" }) {
                        found[.activation] = found[.activation] ?? call  // 1 + exp(-x): sigmoid / SiLU
                    }
                } else if KernelAST.matches(name, rsqrtCalls, facts), args.preorder.contains(where: { $0.type == "binary_expression" && KernelAST.op($0) == "+" }) {
                    found[.normalization] = found[.normalization] ?? call
                } else if KernelAST.matches(name, sqrtCalls, facts) {
                    if args.preorder.contains(where: { $0.type == "binary_expression" && KernelAST.op($0) == "+" }),
                       let p = call.parent, p.type == "binary_expression", KernelAST.op(p) == "/",
                       let l = p.child(byField: "left"), KernelAST.compact(l).hasPrefix("1") {
                        found[.normalization] = found[.normalization] ?? call
                    }
                } else if KernelAST.matches(name, geluCalls, facts) {
                    found[.activation] = found[.activation] ?? call
                } else if KernelAST.matches(name, KernelAST.maxCalls, facts), args.namedChildCount == 2,
                          args.namedChildren.contains(where: { isZero($0) }) {
                    found[.activation] = found[.activation] ?? call
                } else if KernelAST.matches(name, logCalls, facts), usesTargets(body, declared) {
                    found[.crossEntropy] = found[.crossEntropy] ?? call
                }
            }
            for n in body.preorder where n.type == "binary_expression" || n.type == "call_expression" {
                guard let parts = KernelAST.arithmetic(n) else { continue }
                let (o, l, r) = parts
                if o == "/" {
                    let rr = KernelAST.unwrap(r)
                    if rr.type == "binary_expression", KernelAST.op(rr) == "+",
                       [rr.child(byField: "left"), rr.child(byField: "right")].contains(where: { side in
                           side.map { KernelAST.unwrap($0).type == "call_expression" && KernelAST.callee(KernelAST.unwrap($0)).map { sqrtCalls.contains($0) } == true } ?? false
                       }) {
                        found[.optimizer] = found[.optimizer] ?? n
                    }
                } else if o == "+" {
                    let ls = KernelAST.unwrap(l), rs = KernelAST.unwrap(r)
                    // out[i] = a[i] + b[i]: the whole stored value is the sum of two different arrays at one index.
                    let stored = n.parent.map { p in
                        (p.type == "assignment_expression" && KernelAST.op(p) == "=") || p.type == "init_declarator"
                    } ?? false
                    if stored, ls.type == "subscript_expression", rs.type == "subscript_expression",
                       let lb = ls.child(byField: "argument")?.text, let rb = rs.child(byField: "argument")?.text, lb != rb,
                       declared[lb] != nil, declared[rb] != nil,
                       KernelAST.compact(ls.child(byField: "indices")!) == KernelAST.compact(rs.child(byField: "indices")!) {
                        found[.residual] = found[.residual] ?? n
                    }
                }
            }
            for a in KernelAST.assignments(in: body) where a.node.type == "assignment_expression" && isMaskValue(a.value) {
                let guarded = guardedByComparison(a.node) || (KernelAST.unwrap(a.value).type == "conditional_expression")
                if guarded { found[.causalMask] = found[.causalMask] ?? a.node }
            }
            // More shapes (FusedOperationShapes.swift).
            if found[.causalMask] == nil, let mask = maskedProbability(in: body, facts) { found[.causalMask] = mask }
            if found[.activation] == nil, let gelu = geluConstant(in: body) { found[.activation] = gelu }
            if found[.bias] == nil, let bias = broadcastBias(in: body, declared: declared) { found[.bias] = bias }
            if found[.gradientScale] == nil, let scaled = gradientScale(in: body) { found[.gradientScale] = scaled }
            if found[.matmul] == nil, let product = tensorCoreProducts(in: body).last {
                found[.matmul] = product
                if let bias = epilogueBias(in: body, after: product, declared: declared) { found[.bias] = bias }
            }
            // Attention scaling folded into the softmax: exp(scale * (x - max)) with a scale passed to the kernel.
            let floatParameters = Set(KernelAST.declaredTypes(f).filter { $0.value == "float" || $0.value == "double" }.keys)
                .subtracting(KernelAST.assignments(in: body).compactMap(\.name))
            if found[.scale] == nil, let folded = foldedScale(in: body, floatParameters: floatParameters, facts) { found[.scale] = folded }
            for call in KernelAST.calls(in: body, named: KernelAST.expCalls, facts: facts) {
                guard let args = call.child(byField: "arguments") else { continue }
                let scaled = args.preorder.contains { n in
                    guard n.type == "binary_expression", KernelAST.op(n) == "*" else { return false }
                    let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0.map(KernelAST.unwrap) }
                    return sides.contains { $0.type == "identifier" && floatParameters.contains($0.text) }
                        && sides.contains { $0.preorder.contains { $0.type == "binary_expression" && KernelAST.op($0) == "-" } }
                }
                if scaled { found[.scale] = found[.scale] ?? call }
            }
        }
        let dots = FlashAttentionTiling.dotProducts(kernel, facts)
        if let dot = dots.first, found[.matmul] == nil {
            found[.matmul] = dot
            if let bias = biasSeed(dots, reached) { found[.bias] = bias }
        }
        // The causal mask and the attention scale are separate operations only next to a softmax (scale + mask +
        // softmax); masking or scaling scores on their own, or a matmul that masks its output, is one operation.
        if found[.softmax] == nil {
            found[.causalMask] = nil
            found[.scale] = nil
        }
        // Scaling the gradient is an operation of its own only as part of an optimizer step (unscale/clip + update).
        if found[.optimizer] == nil { found[.gradientScale] = nil }
        return found
    }

    /// The enclosing `a + b` of an expression (through parentheses).
    static func enclosingSum(_ node: Node) -> Node? {
        var current = node.parent
        while let c = current, c.type == "parenthesized_expression" { current = c.parent }
        guard let c = current, c.type == "binary_expression", KernelAST.op(c) == "+" else { return nil }
        return c
    }

    static func isZero(_ node: Node) -> Bool {
        let n = KernelAST.unwrap(node)
        guard n.type == "number_literal" else { return false }
        return KernelAST.number(n.text) == 0
    }

    /// A subscript indexed by an element of an integer array (`probs[targets[i]]`, or through `int ix = targets[i]`).
    static func usesTargets(_ body: Node, _ declared: [String: String]) -> Bool {
        let intArrays = Set(declared.filter { ($0.value.contains("int") || $0.value.contains("long")) && $0.value.contains("*" as Character) }.keys)
        guard !intArrays.isEmpty else { return false }
        var targets = Set<String>()
        for a in KernelAST.assignments(in: body) {
            let v = KernelAST.unwrap(a.value)
            if let name = a.name, v.type == "subscript_expression", let base = v.child(byField: "argument"), intArrays.contains(base.text) {
                targets.insert(name)
            }
        }
        return body.preorder.contains { n in
            guard n.type == "subscript_expression", let index = n.child(byField: "indices") else { return false }
            return index.preorder.contains { i in
                (i.type == "subscript_expression" && intArrays.contains(i.child(byField: "argument")?.text ?? "")) ||
                    (i.type == "identifier" && targets.contains(i.text))
            }
        } || body.preorder.contains { n in
            // (i == ix) comparisons against the target inside the gradient.
            n.type == "binary_expression" && KernelAST.op(n) == "==" && !Set(KernelAST.identifiers(in: n)).isDisjoint(with: targets)
        }
    }

    static func isMaskValue(_ value: Node) -> Bool {
        let v = KernelAST.unwrap(value)
        let candidates = v.type == "conditional_expression"
            ? [v.child(byField: "consequence"), v.child(byField: "alternative")].compactMap { $0 } : [v]
        return candidates.contains { c in
            let u = KernelAST.unwrap(c)
            guard u.type == "unary_expression", KernelAST.op(u) == "-", let arg = u.child(byField: "argument") else { return false }
            let a = KernelAST.unwrap(arg)
            if a.type == "identifier" { return ["INFINITY", "FLT_MAX", "HUGE_VALF", "CUDART_INF_F"].contains(a.text) }
            if a.type == "number_literal" { return (KernelAST.number(a.text) ?? 0) >= 1e4 }
            return false
        }
    }

    static func guardedByComparison(_ node: Node) -> Bool {
        var current = node.parent
        for _ in 0..<4 {
            guard let c = current else { return false }
            if c.type == "if_statement", let condition = c.child(byField: "condition") {
                return condition.preorder.contains { $0.type == "binary_expression" && ["<", ">", "<=", ">="].contains(KernelAST.op($0) ?? "") }
            }
            current = c.parent
        }
        return false
    }

    /// A dot-product accumulator seeded from, or finally added to, another array (a bias folded into the GEMM).
    static func biasSeed(_ dots: [Node], _ reached: [CUDAFacts.Function]) -> Node? {
        for dot in dots {
            guard let target = (dot.child(byField: "left") ?? dot.child(byField: "declarator")).map(KernelAST.compact) else { continue }
            for f in reached {
                guard let body = f.body, KernelAST.isInside(dot, body) else { continue }
                for a in KernelAST.assignments(in: body) where a.op == "=" && KernelAST.compact(a.target) == target && a.node.endByte <= dot.startByte {
                    if a.value.preorder.contains(where: { $0.type == "subscript_expression" }) { return a.node }
                }
                for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "+" && n.startByte > dot.endByte {
                    let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0.map(KernelAST.unwrap) }
                    if sides.contains(where: { KernelAST.compact($0) == target }), sides.contains(where: { $0.type == "subscript_expression" }),
                       KernelAST.enclosingLoops(n, within: body).count < KernelAST.enclosingLoops(dot, within: body).count {
                        return n
                    }
                }
            }
        }
        return nil
    }
}
