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
/// - lerp as two FMAs: `fmaf(t, b, fmaf(-t, a, a))`.
/// Rejected: two-pass variance (`(x - mean)^2`), dividing by the sum inside the loop, reciprocals of constants or
/// sizes (`1.f / sqrtf(n)`), `rsqrtf(var + eps)` (the formula itself, not a rewrite), and the one-line
/// `a + t * (b - a)`.
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
                v = [consequence, alternative].map(KernelAST.unwrap).first { $0.type == "binary_expression" && KernelAST.op($0) == "/" } ?? v
            }
            guard v.type == "binary_expression", KernelAST.op(v) == "/", let l = v.child(byField: "left"), Self.isOne(KernelAST.unwrap(l).text),
                  let r = v.child(byField: "right"), !Set(KernelAST.identifiers(in: r)).isDisjoint(with: accumulated) else { continue }
            for use in body.preorder where use.type == "identifier" && use.text == name && use.startByte > a.node.endByte {
                guard !KernelAST.enclosingLoops(use, within: body).isEmpty,
                      let parent = use.parent, (parent.type == "binary_expression" && KernelAST.op(parent) == "*")
                        || (parent.type == "assignment_expression" && KernelAST.op(parent) == "*=") else { continue }
                return [facts.evidence(a.node, "normalisation factor hoisted out of the loop as a reciprocal")]
            }
        }
        return []
    }

    static func isOne(_ literal: String) -> Bool {
        KernelAST.number(literal) == 1
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
