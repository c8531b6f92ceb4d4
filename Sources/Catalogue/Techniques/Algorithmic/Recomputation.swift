import TreeSitterKit

/// `recomputation`: a value is computed again in a later pass instead of being written to global memory and
/// read back. Found when, in the kernel or a device helper it calls, two separate (non-nested) loops call the
/// same transcendental function (`expf`, `__expf`, `tanhf`, `logf`, ...) on arguments built from a shared
/// value defined outside both loops (the row max, a scale), the first loop only folds the result into a
/// register (a running sum) without storing it, and the second loop uses it again (e.g. writes the normalised
/// probability, or the probability inside a gradient).
/// Rejected: the store-and-reload version (exponentials written to the output in the first pass and read back
/// for normalisation), and unrelated transcendental calls in different loops.
struct Recomputation: TechniqueDetector {
    let id = "recomputation"

    static let expensive: Set<String> = [
        "expf", "__expf", "exp", "exp2f", "__exp2f", "tanhf", "tanh", "__tanhf", "logf", "__logf", "log", "erff", "erf",
        "sinf", "cosf", "__sinf", "__cosf", "sigmoid",
    ]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let calls = KernelAST.calls(in: body, named: Self.expensive, facts: facts)
            let assignments = KernelAST.assignments(in: body)
            // Outermost loop of each call (within the function).
            let placed: [(call: Node, loop: Node)] = calls.compactMap { c in
                KernelAST.enclosingLoops(c, within: body).last.map { (c, $0) }
            }
            var reported = Set<Int>()
            for (i, first) in placed.enumerated() {
                guard stayedInRegisters(first.call, loop: first.loop, assignments: assignments) else { continue }
                for second in placed[(i + 1)...] {
                    guard second.loop.startByte >= first.loop.endByte,
                          KernelAST.callee(first.call).map(KernelAST.bare) == KernelAST.callee(second.call).map(KernelAST.bare),
                          !reported.contains(second.call.startByte) else { continue }
                    let loopLocal1 = locals(of: first.loop), loopLocal2 = locals(of: second.loop)
                    let shared = Set(KernelAST.identifiers(in: first.call.child(byField: "arguments") ?? first.call)).subtracting(loopLocal1)
                        .intersection(Set(KernelAST.identifiers(in: second.call.child(byField: "arguments") ?? second.call)).subtracting(loopLocal2))
                    guard !shared.isEmpty else { continue }
                    reported.insert(second.call.startByte)
                    evidence.append(facts.evidence(second.call, "recomputed in a later pass instead of stored and reloaded"))
                }
            }
        }
        return evidence
    }

    /// Variables declared or counted inside a loop (its iteration variables and locals).
    func locals(of loop: Node) -> Set<String> {
        var result = Set<String>()
        if let v = KernelAST.loopVariable(loop) { result.insert(v) }
        for a in KernelAST.assignments(in: loop) where a.node.type == "init_declarator" {
            if let name = a.name { result.insert(name) }
        }
        return result
    }

    /// The call's result is folded into registers in its loop, never stored to memory there.
    func stayedInRegisters(_ call: Node, loop: Node, assignments: [KernelAST.Assignment]) -> Bool {
        var carriers: [Node] = [call]
        var names = Set<String>()
        for a in assignments where KernelAST.isInside(a.node, loop) && KernelAST.isInside(call, a.value) {
            if let name = a.name { names.insert(name) }
        }
        for a in assignments where KernelAST.isInside(a.node, loop) {
            let mentions = KernelAST.isInside(call, a.value) || !Set(KernelAST.identifiers(in: a.value)).isDisjoint(with: names)
            guard mentions else { continue }
            if a.target.type == "subscript_expression" || a.target.type == "pointer_expression" { return false }
            carriers.append(a.node)
        }
        // Stores through calls (__stcs(out + i, v)) also count as stores.
        for c in loop.preorder where c.type == "call_expression" {
            guard let name = KernelAST.callee(c), ["__stcs", "__stcg", "__stwt", "__stwb", "store"].contains(name),
                  let args = c.child(byField: "arguments") else { continue }
            if KernelAST.isInside(call, args) || !Set(KernelAST.identifiers(in: args)).isDisjoint(with: names) { return false }
        }
        return carriers.count > 1
    }
}
