import TreeSitterKit

/// `recomputation`: a value is computed again in a later pass instead of being written to global memory and
/// read back. Found when, in the kernel or a device helper it calls, two separate (non-nested) loops call the
/// same transcendental function (`expf`, `__expf`, `tanhf`, `logf`, ...) on arguments built from a shared
/// value defined outside both loops (the row max, a scale), directly or through locals of the loop
/// (`x0 = a.x * scale; exp2f(x0 - m)` shares `scale` with `exp2f(a.x * scale - row.m)`; thread and block
/// indices do not count as shared), the first loop only folds the result into a
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
                    let shared = outsideInputs(first.call, loop: first.loop).intersection(outsideInputs(second.call, loop: second.loop))
                    guard !shared.isEmpty else { continue }
                    reported.insert(second.call.startByte)
                    evidence.append(facts.evidence(second.call, "recomputed in a later pass instead of stored and reloaded"))
                }
            }
        }
        return evidence
    }

    static let builtins: Set<String> = KernelIndexFlow.builtins.union(["warpSize"])

    /// The variables from outside `loop` that a call's arguments are built from: the identifiers of its
    /// arguments, following the loop's locals to their initialisers (a few steps), without the loop's own
    /// variables and the thread/block built-ins.
    func outsideInputs(_ call: Node, loop: Node) -> Set<String> {
        let loopLocals = locals(of: loop)
        var definitions: [String: Node] = [:]
        for a in KernelAST.assignments(in: loop) where a.node.type == "init_declarator" && a.node.startByte < call.startByte {
            if let name = a.name { definitions[name] = a.value }
        }
        var names = valueNames(in: call.child(byField: "arguments") ?? call)
        var frontier = names
        for _ in 0..<3 {
            var next = Set<String>()
            for name in frontier {
                guard let value = definitions.removeValue(forKey: name) else { continue }
                next.formUnion(valueNames(in: value))
            }
            frontier = next.subtracting(names)
            names.formUnion(next)
        }
        return names.subtracting(loopLocals).subtracting(Self.builtins)
    }

    /// The identifiers of an expression that name values, not the functions it calls (`__half22float2(v.lo)`
    /// gives `v`).
    func valueNames(in node: Node) -> Set<String> {
        Set(node.preorder.filter { n in
            guard n.type == "identifier", let parent = n.parent else { return n.type == "identifier" }
            if parent.type == "call_expression", parent.child(byField: "function") == n { return false }
            if parent.type == "template_function", parent.child(byField: "name") == n { return false }
            return true
        }.map(\.text))
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
