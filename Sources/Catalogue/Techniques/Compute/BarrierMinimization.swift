import TreeSitterKit

/// `barrier_minimization`: block barriers deliberately avoided or removed. Counted when the kernel (or a
/// helper it calls) makes a barrier optional on a block-uniform flag (`if (final_sync) __syncthreads();`, a
/// barrier skipped after the last stage), double-buffers its shared reduction scratch (`buf[i % 2][...]`,
/// `buf[phase]` with `phase ^= 1`) so one barrier per step suffices, or states in a comment, in a kernel that
/// synchronizes through shared memory, that a `__syncthreads` / barrier is avoided, unnecessary, skipped or only
/// needed in some cases. A barrier under a thread-dependent condition, a uniform branch that does work before
/// its barrier (unrolled reduction steps), double-buffered tiles without a block reduction, and comments that
/// merely mention a barrier do not count.
struct BarrierMinimization: TechniqueDetector {
    let id = "barrier_minimization"

    static let barrierWords = ["__syncthreads", "syncthreads", "barrier", "sync()", "block.sync"]
    static let avoidance = ["avoid", "no need", "not need", "n't need", "unnecessary", "needless", "redundant", "skip",
                            "remov", "eliminat", "fewer", "omit", "elid", "only needed", "only need", "no extra",
                            "no __sync", "no sync", "no barrier", "without a __sync", "without __sync", "without a barrier",
                            "without another", "saves a", "save a"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let flow = KernelIndexFlow(kernel, in: facts)
        let barriers = flow.barrierCalls()
        var evidence: [Evidence] = []
        for call in barriers {
            if let condition = uniformGuard(call, flow) {
                evidence.append(facts.evidence(condition, "barrier only taken when the flag asks for it"))
            }
        }
        if !barriers.isEmpty, let access = doubleBufferedScratch(flow), !BlockReduction().detect(kernel: kernel, in: facts).isEmpty {
            evidence.append(facts.evidence(access, "reduction scratch double-buffered to save a barrier per step"))
        }
        if !barriers.isEmpty || !flow.sharedArrays().isEmpty {
            for comment in flow.comments() {
                let text = comment.text.lowercased()
                if Self.barrierWords.contains(where: { text.contains($0) }), Self.avoidance.contains(where: { text.contains($0) }) {
                    evidence.append(facts.evidence(comment, "barrier avoided on purpose"))
                }
            }
        }
        return evidence
    }

    /// The `if` whose only statement is this barrier, when its condition is the same for the whole block.
    func uniformGuard(_ call: Node, _ flow: KernelIndexFlow) -> Node? {
        guard let statement = call.parent, statement.type == "expression_statement" else { return nil }
        var parent = statement.parent
        if let p = parent, p.type == "compound_statement" {
            guard p.namedChildren.filter({ $0.type != "comment" }).count == 1 else { return nil }
            parent = p.parent
        }
        guard let ifStatement = parent, ifStatement.type == "if_statement", ifStatement.child(byField: "alternative") == nil,
              let condition = ifStatement.child(byField: "condition") else { return nil }
        let origin = flow.origin(condition)
        return origin.dependsOnThread ? nil : ifStatement
    }

    /// An access `buf[p][...]` to a shared array with two buffers, where `p` alternates (`i % 2`, `i & 1`, a
    /// variable flipped by `^= 1`, `= 1 - p` or `= !p`).
    func doubleBufferedScratch(_ flow: KernelIndexFlow) -> Node? {
        let doubled = Set((flow.facts.inventory?.sharedDeclarations ?? []).filter { declaration in
            declaration.type.replacingOccurrences(of: " ", with: "").contains("[2][")
        }.map(\.name))
        guard !doubled.isEmpty else { return nil }
        for access in flow.nodes(["subscript_expression"]) {
            guard let base = flow.strip(access.child(byField: "argument")), base.type == "identifier", doubled.contains(base.text),
                  let index = access.child(byField: "indices")?.namedChild(0) else { continue }
            if alternates(index, flow) { return access }
        }
        return nil
    }

    func alternates(_ index: Node, _ flow: KernelIndexFlow) -> Bool {
        guard let value = flow.strip(index) else { return false }
        if value.type == "binary_expression" {
            let op = flow.operatorText(value), right = flow.literalValue(value.child(byField: "right"))
            return (op == "%" && right == 2) || (op == "&" && right == 1) || (op == "^" && right == 1)
        }
        guard value.type == "identifier" else { return false }
        let name = value.text
        return flow.bodies.contains { body in
            body.preorder.contains { node in
                guard node.type == "assignment_expression", flow.strip(node.child(byField: "left"))?.text == name else { return false }
                let op = flow.operatorText(node), right = flow.strip(node.child(byField: "right"))
                if op == "^=" { return flow.literalValue(right) == 1 }
                guard op == "=", let right else { return false }
                if right.type == "unary_expression", right.text.hasPrefix("!") { return true }
                if right.type == "binary_expression", flow.operatorText(right) == "-", flow.literalValue(right.child(byField: "left")) == 1 { return true }
                if right.type == "binary_expression", flow.operatorText(right) == "^", flow.literalValue(right.child(byField: "right")) == 1 { return true }
                return false
            }
        }
    }
}
