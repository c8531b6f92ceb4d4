import TreeSitterKit

/// `algebraic_reformulation`: the math is rewritten to save passes or operations. Found in the kernel or a
/// device helper it calls, as any of:
/// - single-pass variance: one loop accumulates both `x` and `x * x`, and the variance is then formed as
///   `E[x^2] - mean * mean`;
/// - closed-form softmax (or normalisation) backward: a loop accumulates a dot product `s += a[i] * b[i]`, and a
///   later loop multiplies by a difference with that scalar (`p[i] * (g[i] - s)`) instead of building the
///   Jacobian;
/// - a normalisation term accumulated in the kernel (a sum) hoisted out of a loop as a reciprocal
///   (`inv = 1.0f / sum`) and applied inside the loop by multiplication instead of a division per element;
/// - lerp as two FMAs: `fmaf(t, b, fmaf(-t, a, a))`;
/// - an offset folded into an FMA: `(q - z) * s` computed as `fma(q, s, -z * s)`, the addend being the negated
///   product of the offset with the multiplier (also through locals and `__hneg(__hmul(s, z))`).
/// Rejected: two-pass variance (`(x - mean)^2`), dividing by the sum inside the loop, reciprocals of constants or
/// sizes (`1.f / sqrtf(n)`), `rsqrtf(var + eps)` (the formula itself, not a rewrite), the one-line
/// `a + t * (b - a)`, and FMAs whose addend is an independent value or a negated constant multiple
/// (`fmaf(x, w, -bias)`, `fmaf(a, b, -2 * c)`).
/// The reciprocal may be written with a division intrinsic (`__fdividef(1.f, sum)`).
struct AlgebraicReformulation: TechniqueDetector {
    let id = "algebraic_reformulation"

    static let fmas: Set<String> = ["fmaf", "fma", "__fmaf_rn", "__fmaf_rz", "__fma_rn"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let assignments = KernelAST.assignments(in: body)
            evidence += singlePassVariance(body, assignments, facts)
            evidence += closedFormBackward(body, assignments, facts)
            evidence += hoistedReciprocal(body, assignments, facts)
            evidence += twoFmaLerp(body, facts)
            evidence += offsetFoldedIntoFma(body, assignments, facts)
        }
        return evidence
    }

    func singlePassVariance(_ body: Node, _ assignments: [KernelAST.Assignment], _ facts: CUDAFacts) -> [Evidence] {
        var squares = Set<String>(), plains = [String: String]()  // accumulator -> accumulated expression
        var squareOf = [String: String]()
        for a in assignments where a.op == "+=" {
            guard let name = a.name, !KernelAST.enclosingLoops(a.node, within: body).isEmpty else { continue }
            let v = KernelAST.unwrap(a.value)
            if v.type == "binary_expression", KernelAST.op(v) == "*", let l = v.child(byField: "left"), let r = v.child(byField: "right"),
               KernelAST.compact(l) == KernelAST.compact(r) {
                squares.insert(name); squareOf[name] = KernelAST.compact(l)
            } else if v.type == "call_expression", let callee = KernelAST.callee(v), ["fmaf", "fma"].contains(callee) {
                continue
            } else {
                plains[name] = KernelAST.compact(v)
            }
        }
        // x*x accumulated with fmaf(x, x, acc).
        for a in assignments where a.op == "=" {
            guard let name = a.name, !KernelAST.enclosingLoops(a.node, within: body).isEmpty else { continue }
            let v = KernelAST.unwrap(a.value)
            if v.type == "call_expression", let callee = KernelAST.callee(v), Self.fmas.contains(callee),
               let args = v.child(byField: "arguments"), args.namedChildCount == 3,
               KernelAST.compact(args.namedChild(0)!) == KernelAST.compact(args.namedChild(1)!), args.namedChild(2)!.text == name {
                squares.insert(name); squareOf[name] = KernelAST.compact(args.namedChild(0)!)
            }
        }
        guard squares.contains(where: { s in plains.values.contains(squareOf[s] ?? "") }) else { return [] }
        // var = E[x^2] - mean * mean (mean may be squared with a product of identical operands).
        for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "-" {
            guard let l = n.child(byField: "left"), let r = n.child(byField: "right") else { continue }
            let rr = KernelAST.unwrap(r)
            let squaredMean = rr.type == "binary_expression" && KernelAST.op(rr) == "*" &&
                KernelAST.compact(rr.child(byField: "left")!) == KernelAST.compact(rr.child(byField: "right")!)
            if squaredMean, !Set(KernelAST.identifiers(in: l)).isDisjoint(with: squares.union(derived(from: squares, assignments))) {
                return [facts.evidence(n, "single-pass variance E[x^2] - E[x]^2")]
            }
        }
        return []
    }

    func derived(from names: Set<String>, _ assignments: [KernelAST.Assignment]) -> Set<String> {
        var result = names
        for _ in 0..<3 {
            for a in assignments { if let n = a.name, !Set(KernelAST.identifiers(in: a.value)).isDisjoint(with: result) { result.insert(n) } }
        }
        return result
    }

    func closedFormBackward(_ body: Node, _ assignments: [KernelAST.Assignment], _ facts: CUDAFacts) -> [Evidence] {
        var dots: [(name: String, loop: Node)] = []
        for a in assignments where a.op == "+=" {
            guard let name = a.name, let loop = KernelAST.enclosingLoops(a.node, within: body).last else { continue }
            let v = KernelAST.unwrap(a.value)
            guard v.type == "binary_expression", KernelAST.op(v) == "*" else { continue }
            let factors = OnlineSoftmax.productFactors(v)
            if factors.count == 2, KernelAST.compact(factors[0]) != KernelAST.compact(factors[1]),
               factors.allSatisfy({ !OnlineSoftmax.isConstant($0) }) {
                dots.append((name, loop))
            }
        }
        var evidence: [Evidence] = []
        for dot in dots {
            let total = derived(from: [dot.name], assignments)
            for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "*" {
                guard n.startByte >= dot.loop.endByte, !KernelAST.enclosingLoops(n, within: body).isEmpty else { continue }
                let factors = OnlineSoftmax.productFactors(n)
                let usesDifference = factors.contains { f in
                    let u = KernelAST.unwrap(f)
                    guard u.type == "binary_expression", KernelAST.op(u) == "-", let r = u.child(byField: "right") else { return false }
                    return !Set(KernelAST.identifiers(in: r)).isDisjoint(with: total)
                        && !Set(KernelAST.identifiers(in: u.child(byField: "left")!)).isDisjoint(with: Set(KernelAST.identifiers(in: dot.loop)))
                }
                if usesDifference {
                    evidence.append(facts.evidence(n, "closed-form backward: product with (g - sum(g * y))"))
                    return evidence
                }
            }
        }
        return evidence
    }

    func hoistedReciprocal(_ body: Node, _ assignments: [KernelAST.Assignment], _ facts: CUDAFacts) -> [Evidence] {
        // Normalisation terms: values accumulated in a loop (`sum += ...`) or reduced across threads.
        var accumulated = Set<String>()
        for a in assignments {
            guard let name = a.name else { continue }
            if a.op == "+=", !KernelAST.enclosingLoops(a.node, within: body).isEmpty { accumulated.insert(name) }
            if a.op == "=", KernelAST.unwrap(a.value).type == "call_expression", accumulated.contains(name) == false,
               Set(KernelAST.identifiers(in: a.value)).contains(name) { accumulated.insert(name) }  // s = reduce(s)
        }
        for a in assignments where a.op == "=" {
            guard let name = a.name, KernelAST.enclosingLoops(a.node, within: body).isEmpty else { continue }
            var v = KernelAST.unwrap(a.value)
            // inv = sum == 0 ? 0 : 1 / sum
            if v.type == "conditional_expression", let alternative = v.child(byField: "alternative"),
               let consequence = v.child(byField: "consequence") {
                v = [consequence, alternative].map(KernelAST.unwrap).first { Self.quotient($0) != nil } ?? v
            }
            guard let division = Self.quotient(v), Self.isOne(KernelAST.unwrap(division.0).text),
                  !Set(KernelAST.identifiers(in: division.1)).isDisjoint(with: accumulated) else { continue }
            for use in body.preorder where use.type == "identifier" && use.text == name && use.startByte > a.node.endByte {
                guard !KernelAST.enclosingLoops(use, within: body).isEmpty,
                      let parent = use.parent, (parent.type == "binary_expression" && KernelAST.op(parent) == "*")
                        || (parent.type == "assignment_expression" && KernelAST.op(parent) == "*=") else { continue }
                return [facts.evidence(a.node, "normalisation factor hoisted out of the loop as a reciprocal")]
            }
        }
        return []
    }

    /// Dividend and divisor of `a / b` or of a division intrinsic `__fdividef(a, b)`.
    static func quotient(_ node: Node) -> (Node, Node)? {
        guard let parts = KernelAST.arithmetic(KernelAST.unwrap(node)), parts.op == "/" else { return nil }
        return (parts.left, parts.right)
    }

    static func isOne(_ literal: String) -> Bool {
        KernelAST.number(literal) == 1
    }

    static let negations: Set<String> = ["__hneg", "__hneg2"]

    /// `(q - z) * s` as one FMA, `fma(q, s, -z * s)`: the addend is the negated product of the offset with the
    /// FMA's own multiplier (directly, or through locals and broadcasts such as `s2 = __half2half2(s)`).
    func offsetFoldedIntoFma(_ body: Node, _ assignments: [KernelAST.Assignment], _ facts: CUDAFacts) -> [Evidence] {
        let fmas = Self.fmas.union(["__hfma2", "__hfma"])
        var definitions = [String: Node]()
        for a in assignments where a.op == "=" { if let name = a.name, definitions[name] == nil { definitions[name] = a.value } }
        for call in KernelAST.calls(in: body, named: fmas, facts: facts) {
            guard let args = call.child(byField: "arguments"), args.namedChildCount == 3,
                  let product = negatedProduct(args.namedChild(2)!, definitions) else { continue }
            let multipliers = [args.namedChild(0)!, args.namedChild(1)!].map { KernelAST.compact(root($0, definitions)) }
            let factors = product.map { KernelAST.compact(root($0, definitions)) }
            // Both factors vary (not `-2 * x`), and one of them is the FMA's multiplier.
            if product.allSatisfy({ !OnlineSoftmax.isConstant($0) }), factors.contains(where: { multipliers.contains($0) }) {
                return [facts.evidence(call, "offset folded into the FMA addend: (q - z) * s as fma(q, s, -z * s)")]
            }
        }
        return []
    }

    /// The value an operand stands for: through parentheses, locals' definitions and one-argument conversions or
    /// broadcasts (`s2 = __half2half2(s)` -> `s`'s value).
    func root(_ node: Node, _ definitions: [String: Node]) -> Node {
        var n = KernelAST.unwrap(node)
        for _ in 0..<6 {
            if n.type == "identifier", let definition = definitions[n.text] {
                n = KernelAST.unwrap(definition)
            } else if n.type == "call_expression", let args = n.child(byField: "arguments"), args.namedChildCount == 1,
                      let name = KernelAST.callee(n), !Self.negations.contains(name) {
                n = KernelAST.unwrap(args.namedChild(0)!)
            } else if n.type == "cast_expression", let value = n.child(byField: "value") {
                n = KernelAST.unwrap(value)
            } else {
                break
            }
        }
        return n
    }

    /// The two factors of `-(a * b)` (also `__hneg(__hmul(a, b))`), reached through locals and broadcasts.
    func negatedProduct(_ node: Node, _ definitions: [String: Node]) -> [Node]? {
        let n = root(node, definitions)
        let negated: Node?
        if n.type == "unary_expression", KernelAST.op(n) == "-" {
            negated = n.child(byField: "argument")
        } else if n.type == "call_expression", let name = KernelAST.callee(n), Self.negations.contains(name) {
            negated = n.child(byField: "arguments")?.namedChild(0)
        } else {
            return nil
        }
        guard let p = negated.map({ root($0, definitions) }) else { return nil }
        guard let product = KernelAST.arithmetic(p), product.op == "*" else { return nil }
        return [product.left, product.right]
    }

    func twoFmaLerp(_ body: Node, _ facts: CUDAFacts) -> [Evidence] {
        for call in KernelAST.calls(in: body, named: Self.fmas, facts: facts) {
            guard let args = call.child(byField: "arguments"), args.namedChildCount == 3,
                  let inner = args.namedChild(2).map(KernelAST.unwrap), inner.type == "call_expression",
                  let innerName = KernelAST.callee(inner), Self.fmas.contains(innerName),
                  let innerArgs = inner.child(byField: "arguments"), innerArgs.namedChildCount == 3 else { continue }
            let t = KernelAST.compact(args.namedChild(0)!)
            let negT = KernelAST.unwrap(innerArgs.namedChild(0)!)
            let negated = negT.type == "unary_expression" && KernelAST.op(negT) == "-" && KernelAST.compact(negT.child(byField: "argument")!) == t
            if negated, KernelAST.compact(innerArgs.namedChild(1)!) == KernelAST.compact(innerArgs.namedChild(2)!) {
                return [facts.evidence(call, "lerp written as two FMAs")]
            }
        }
        return []
    }
}
