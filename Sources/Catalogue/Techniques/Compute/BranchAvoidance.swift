import TreeSitterKit

/// `branch_avoidance`: the kernel (or a device helper it calls) is written so its hot loops carry no
/// data-dependent branches or bounds checks:
/// - clamped indices: a load whose index is clamped with `min`/`max` (directly or through a local that only
///   serves as an address: a subscript, the pointer argument of a load intrinsic such as `__ldg(row + xm)`, a
///   dereference, or the initializer of a row pointer `p = base + ym * pitch`), so every thread loads
///   unconditionally;
/// - loop peeling: a main loop whose bound is rounded to a multiple of the step (in its condition or in the
///   locals the condition names, `body = n / 8`, `vecs = (w >> 4) * h`), with no `if` and no range-test
///   ternary in its body (an `==` select such as `c == t ? 1 : 0` is itself branch-free), followed by a
///   remainder loop, possibly under an `if (tail > 0)`, that continues the same counter, starts from the main
///   loop's bound, or works from a local derived from the same rounded local (`tail = w - (vecPerRow << 4)`);
/// - arithmetic select: a value multiplied by a comparison (`v * (float)(i < n)`, or a local holding one:
///   `keep = r < t; v *= (float)keep`) instead of an `if`.
/// Rejected: `min` used only for a loop bound, `if (i < n)` guards, and two independent loops that each start
/// their own counter (sharing only a parameter such as `n`).
struct BranchAvoidance: TechniqueDetector {
    let id = "branch_avoidance"

    static let clamps: Set<String> = ["min", "max", "fminf", "fmaxf", "umin", "umax", "clamp", "std::min", "std::max", "__clamp"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            // Locals assigned a clamp and used only inside subscripts.
            var clamped = Set<String>()
            for a in KernelAST.assignments(in: body) {
                guard let name = a.name, KernelAST.unwrap(a.value).type == "call_expression",
                      let callee = KernelAST.callee(KernelAST.unwrap(a.value)), KernelAST.matches(callee, Self.clamps, facts) else { continue }
                let uses = body.preorder.filter { $0.type == "identifier" && $0.text == name && !KernelAST.isInside($0, a.target) }
                let onlyIndex = !uses.isEmpty && uses.allSatisfy { addressUse($0, in: body, facts) != nil }
                if onlyIndex { clamped.insert(name) }
            }
            // Clamped locals that reach memory through pointer arithmetic rather than a subscript.
            var reported = Set<Int>()
            for n in body.preorder where n.type == "identifier" && clamped.contains(n.text) {
                guard let address = addressUse(n, in: body, facts), address.type != "subscript_argument_list",
                      reported.insert(address.startByte).inserted else { continue }
                evidence.append(facts.evidence(address, "clamped offset: the load needs no bounds check"))
            }
            for n in body.preorder where n.type == "subscript_expression" {
                guard let index = n.child(byField: "indices") else { continue }
                let direct = !KernelAST.calls(in: index, named: Self.clamps, facts: facts).isEmpty
                let viaLocal = !Set(KernelAST.identifiers(in: index)).isDisjoint(with: clamped)
                if direct || viaLocal {
                    evidence.append(facts.evidence(n, "index clamped so the load needs no bounds check"))
                }
            }
            evidence += peeledLoops(body, facts)
            let predicates = predicateLocals(body)
            for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "*" {
                let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0.map(Self.stripConversion) }
                if sides.contains(where: { Self.isComparison($0) || ($0.type == "identifier" && predicates.contains($0.text)) }) {
                    evidence.append(facts.evidence(n, "predicate folded into arithmetic instead of a branch"))
                }
            }
        }
        return evidence
    }

    static let comparisons: Set<String> = ["<", ">", "<=", ">=", "==", "!="]
    static let loadIntrinsics: Set<String> = ["__ldg", "__ldcg", "__ldca", "__ldcs", "__ldlu", "__ldcv"]

    static func isComparison(_ node: Node) -> Bool {
        node.type == "binary_expression" && comparisons.contains(KernelAST.op(node) ?? "")
    }

    /// The node without parentheses, C casts and `static_cast<T>(...)`.
    static func stripConversion(_ node: Node) -> Node {
        var current = KernelAST.unwrap(node)
        while current.type == "call_expression", let function = current.child(byField: "function"),
              function.type == "template_function", function.child(byField: "name")?.text == "static_cast",
              let argument = current.child(byField: "arguments")?.namedChild(0) {
            current = KernelAST.unwrap(argument)
        }
        return current
    }

    /// Locals whose every definition is a comparison (`const uint32_t keep = draw < threshold;`).
    func predicateLocals(_ body: Node) -> Set<String> {
        var values: [String: [Node]] = [:]
        for a in KernelAST.assignments(in: body) where a.op == "=" {
            guard let name = a.name else { continue }
            values[name, default: []].append(Self.stripConversion(a.value))
        }
        return Set(values.filter { !$0.value.isEmpty && $0.value.allSatisfy(Self.isComparison) }.keys)
    }

    /// The address that a use of a variable feeds, or nil when the use is not an address: the subscript's
    /// index list, a load intrinsic call (`__ldg(p + i)`), a dereference (`*(p + i)`), or the value of a pointer
    /// local (`const T* row = base + i * pitch`). Uses in loop headers and conditions are not addresses.
    func addressUse(_ use: Node, in body: Node, _ facts: CUDAFacts) -> Node? {
        var current = use.parent
        while let c = current, c != body {
            switch c.type {
            case "subscript_argument_list":
                return c
            case "for_statement", "while_statement", "if_statement", "condition_clause", "conditional_expression",
                 "expression_statement", "return_statement":
                return nil
            case "call_expression":
                if let name = KernelAST.callee(c), KernelAST.matches(name, Self.loadIntrinsics, facts) { return c }
            case "pointer_expression":
                if c.child(byField: "operator")?.type == "*" { return c }  // a dereference, not `&x`
            case "init_declarator":
                return c.child(byField: "declarator")?.type == "pointer_declarator" ? c : nil
            default:
                break
            }
            current = c.parent
        }
        return nil
    }

    /// A check-free main loop over a rounded bound followed by a remainder loop on the same counter.
    func peeledLoops(_ body: Node, _ facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        let definitions = localDefinitions(body)
        for main in body.preorder where main.type == "for_statement" {
            guard let variable = KernelAST.loopVariable(main), let mainBody = main.child(byField: "body"),
                  !mainBody.preorder.contains(where: { $0.type == "if_statement" || isRangeSelect($0) }),
                  let condition = main.child(byField: "condition") else { continue }
            // The locals the bound is computed from (two levels: `n = vecs * h`, `vecs = w >> 4`).
            let mainBound = condition.child(byField: "right").map { Set(KernelAST.identifiers(in: $0)) } ?? []
            let boundLocals = closure(of: mainBound.subtracting([variable]), definitions, depth: 2)
            let rounded = ([condition] + boundLocals.flatMap { definitions[$0] ?? [] }).contains { root in
                root.preorder.contains { n in
                    n.type == "binary_expression" && ["-", "/", "&", "%", "+", ">>"].contains(KernelAST.op(n) ?? "")
                }
            }
            guard rounded else { continue }
            var sibling = main.nextNamedSibling
            while let s = sibling {
                if let remainder = remainderLoop(s) {
                    var continues = false
                    if remainder.type == "while_statement" {
                        continues = remainder.child(byField: "condition").map { KernelAST.identifiers(in: $0).contains(variable) } ?? false
                    } else if let initializer = remainder.child(byField: "initializer"), initializer.type == "declaration" {
                        // for (int i = rounded_bound; i < n; ++i)
                        let start = KernelAST.assignments(in: initializer).first.map { Set(KernelAST.identifiers(in: $0.value)) } ?? []
                        let otherBound = remainder.child(byField: "condition").map(KernelAST.compact)
                        continues = !start.isDisjoint(with: mainBound.subtracting([variable])) && otherBound != KernelAST.compact(condition)
                    } else {
                        // for (; i < n; ++i) continuing the main loop's counter
                        continues = KernelAST.loopVariable(remainder) == variable
                    }
                    if !continues, remainder.type == "for_statement", let initializer = remainder.child(byField: "initializer"),
                       let start = KernelAST.assignments(in: initializer).first?.value,
                       remainder.child(byField: "condition").map(KernelAST.compact) != KernelAST.compact(condition) {
                        // The remainder starts where the rounded main part ends, through a local derived from the main
                        // bound's locals (`tailStart = vecPerRow << 4`; `for (x = tailStart + tid; x < width; ...)`). A
                        // later loop that starts at 0 or at the thread is another pass, not a remainder, even when its
                        // bound shares locals with the main one. Definitions made inside the main loop are its own
                        // temporaries, not the remainder's.
                        let outside = definitions.mapValues { $0.filter { !KernelAST.isInside($0, main) } }.filter { !$0.value.isEmpty }
                        let derived = closure(of: Set(KernelAST.identifiers(in: start)).subtracting([variable]), outside, depth: 2)
                        continues = !derived.intersection(boundLocals).isEmpty
                    }
                    if continues {
                        evidence.append(facts.evidence(main, "loop split into a check-free main part and a remainder"))
                    }
                    break
                }
                sibling = s.nextNamedSibling
            }
        }
        return evidence
    }

    /// The loop a statement after the main loop runs: the loop itself, or the only loop under an `if` without
    /// an `else` (`if (tail > 0) { for (...) }`).
    func remainderLoop(_ statement: Node) -> Node? {
        if statement.type == "for_statement" || statement.type == "while_statement" { return statement }
        guard statement.type == "if_statement", statement.child(byField: "alternative") == nil,
              var inner = statement.child(byField: "consequence") else { return nil }
        if inner.type == "compound_statement" {
            let statements = inner.namedChildren.filter { $0.type != "comment" }
            guard statements.count == 1 else { return nil }
            inner = statements[0]
        }
        return inner.type == "for_statement" || inner.type == "while_statement" ? inner : nil
    }

    /// A ternary that tests a range (`i < n ? a[i] : 0`); an equality select (`c == t ? 1.f : 0.f`) is not a
    /// bounds check.
    func isRangeSelect(_ node: Node) -> Bool {
        guard node.type == "conditional_expression", let condition = node.child(byField: "condition") else { return false }
        return condition.preorder.contains { n in
            n.type == "binary_expression" && ["<", ">", "<=", ">="].contains(KernelAST.op(n) ?? "")
        } || KernelAST.unwrap(condition).type == "identifier"
    }

    /// The values assigned to each plain local in the body.
    func localDefinitions(_ body: Node) -> [String: [Node]] {
        var result: [String: [Node]] = [:]
        for a in KernelAST.assignments(in: body) where a.op == "=" {
            guard let name = a.name else { continue }
            result[name, default: []].append(a.value)
        }
        return result
    }

    /// `names` restricted to locals, plus the locals their definitions name, `depth` levels down.
    func closure(of names: Set<String>, _ definitions: [String: [Node]], depth: Int) -> Set<String> {
        var result = names.filter { definitions[$0] != nil }
        var frontier = result
        for _ in 0..<depth {
            var next = Set<String>()
            for name in frontier {
                for value in definitions[name] ?? [] {
                    next.formUnion(KernelAST.identifiers(in: value).filter { definitions[$0] != nil && !result.contains($0) })
                }
            }
            result.formUnion(next)
            frontier = next
        }
        return result
    }
}
