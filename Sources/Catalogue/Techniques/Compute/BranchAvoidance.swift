import TreeSitterKit

/// `branch_avoidance`: the kernel (or a device helper it calls) is written so its hot loops carry no
/// data-dependent branches or bounds checks:
/// - clamped indices: a load whose index is clamped with `min`/`max` (directly or through a local that only
///   serves as an index), so every thread loads unconditionally;
/// - loop peeling: a main loop whose bound is rounded to a multiple of the step, with no `if` in its body,
///   followed by a remainder loop that continues the same counter or starts from the main loop's bound;
/// - arithmetic select: a value multiplied by a comparison (`v * (float)(i < n)`) instead of an `if`.
/// Rejected: `min` used only for a loop bound, `if (i < n)` guards, and two independent loops that each start
/// their own counter.
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
                let onlyIndex = !uses.isEmpty && uses.allSatisfy { use in
                    var current = use.parent
                    while let c = current, c != body {
                        if c.type == "subscript_argument_list" { return true }
                        if ["for_statement", "while_statement", "if_statement", "condition_clause"].contains(c.type) { return false }
                        current = c.parent
                    }
                    return false
                }
                if onlyIndex { clamped.insert(name) }
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
            for n in body.preorder where n.type == "binary_expression" && KernelAST.op(n) == "*" {
                let sides = [n.child(byField: "left"), n.child(byField: "right")].compactMap { $0.map(KernelAST.unwrap) }
                if sides.contains(where: { $0.type == "binary_expression" && ["<", ">", "<=", ">=", "==", "!="].contains(KernelAST.op($0) ?? "") }) {
                    evidence.append(facts.evidence(n, "predicate folded into arithmetic instead of a branch"))
                }
            }
        }
        return evidence
    }

    /// A check-free main loop over a rounded bound followed by a remainder loop on the same counter.
    func peeledLoops(_ body: Node, _ facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for main in body.preorder where main.type == "for_statement" {
            guard let variable = KernelAST.loopVariable(main), let mainBody = main.child(byField: "body"),
                  !mainBody.preorder.contains(where: { $0.type == "if_statement" || $0.type == "conditional_expression" }),
                  let condition = main.child(byField: "condition") else { continue }
            let rounded = condition.preorder.contains { n in
                n.type == "binary_expression" && ["-", "/", "&", "%", "+"].contains(KernelAST.op(n) ?? "")
            }
            guard rounded else { continue }
            let mainBound = condition.child(byField: "right").map { Set(KernelAST.identifiers(in: $0)) } ?? []
            var sibling = main.nextNamedSibling
            while let s = sibling {
                if s.type == "for_statement" || s.type == "while_statement" {
                    var continues = false
                    if s.type == "while_statement" {
                        continues = s.child(byField: "condition").map { KernelAST.identifiers(in: $0).contains(variable) } ?? false
                    } else if let initializer = s.child(byField: "initializer"), initializer.type == "declaration" {
                        // for (int i = rounded_bound; i < n; ++i)
                        let start = KernelAST.assignments(in: initializer).first.map { Set(KernelAST.identifiers(in: $0.value)) } ?? []
                        let otherBound = s.child(byField: "condition").map(KernelAST.compact)
                        continues = !start.isDisjoint(with: mainBound.subtracting([variable])) && otherBound != KernelAST.compact(condition)
                    } else {
                        // for (; i < n; ++i) continuing the main loop's counter
                        continues = KernelAST.loopVariable(s) == variable
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
}
