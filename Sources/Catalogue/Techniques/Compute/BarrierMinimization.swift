import TreeSitterKit

/// `barrier_minimization`: block barriers deliberately avoided or removed, decided from code only (comments play
/// no part). Counted when the kernel (or a helper it calls):
/// - makes a barrier optional on a block-uniform flag (`if (final_sync) __syncthreads();`);
/// - double-buffers its shared reduction scratch (`buf[i % 2][...]`, `buf[phase]` with `phase ^= 1`) so one
///   barrier per step suffices;
/// - after a barrier, reads another thread's element of one shared array and writes the result to a second
///   shared array with no barrier in between (the naive in-place version needs a second barrier before it
///   overwrites the array other threads are still reading);
/// - runs a ping-pong exchange: a loop with a single barrier reads one parity slot of a shared buffer
///   (`s[cur][t]`, `s[rd * n + t]` with `rd = (d - 1) & 1`) and writes a value computed from that read into the
///   other slot (`s[cur ^ 1][t]`, `s[wr * n + t]` with `wr = d & 1`), as in a Hillis-Steele scan or a DP
///   wavefront: the naive single buffer needs a second barrier between the reads and the writes;
/// - stops its barrier-synchronised tree loop at the warp size (`s > 32`) and finishes with warp shuffles or
///   `__syncwarp()` instead of a `__syncthreads()` per remaining step.
/// A barrier under a thread-dependent condition, a uniform branch that does work before its barrier (unrolled
/// reduction steps), double-buffered tiles without a block reduction (the next slot is refilled from global
/// memory, not from the other slot), and a warp tail without shuffles or `__syncwarp` do not count.
struct BarrierMinimization: TechniqueDetector {
    let id = "barrier_minimization"

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
        if !barriers.isEmpty, let write = secondBuffer(barriers, flow) {
            evidence.append(facts.evidence(write, "result goes to a second shared buffer: no barrier before the next write"))
        }
        if let exchange = pingPongExchange(barriers, flow) {
            evidence.append(facts.evidence(exchange, "ping-pong buffers: one barrier per step instead of two"))
        }
        if let tail = warpSynchronousTail(barriers, flow) {
            evidence.append(facts.evidence(tail, "last steps of the tree run warp-synchronously, without block barriers"))
        }
        return evidence
    }

    /// A store into shared array `B` of a value read from another thread's element of shared array `A`, after a
    /// barrier that follows a store into `A`, with no barrier between that barrier and the store into `B`.
    func secondBuffer(_ barriers: [Node], _ flow: KernelIndexFlow) -> Node? {
        let sharedNames = flow.sharedArrays()
        guard sharedNames.count >= 2 else { return nil }
        let assignments = flow.nodes(["assignment_expression"]).filter { flow.operatorText($0) == "=" }
        func sharedTarget(_ assignment: Node) -> (name: String, index: String)? {
            guard let left = flow.strip(assignment.child(byField: "left")), left.type == "subscript_expression",
                  let base = MemSupport.base(of: left), sharedNames.contains(base) else { return nil }
            return (base, left.child(byField: "indices")?.text ?? "")
        }
        for write in assignments {
            guard let (target, _) = sharedTarget(write), let right = write.child(byField: "right") else { continue }
            let reads = right.preorder.filter { node in
                node.type == "subscript_expression" && MemSupport.base(of: node).map { $0 != target && sharedNames.contains($0) } == true
            }
            for read in reads {
                guard let source = MemSupport.base(of: read), let readIndex = read.child(byField: "indices")?.text else { continue }
                // The barrier just before this write, and a store into the source before that barrier by another index.
                guard let barrier = barriers.last(where: { $0.endByte <= write.startByte }),
                      !barriers.contains(where: { $0.startByte > barrier.endByte && $0.endByte <= write.startByte }),
                      assignments.contains(where: { store in
                          store.endByte <= barrier.startByte && sharedTarget(store).map { $0.name == source && $0.index != readIndex } == true
                      }) else { continue }
                return write
            }
        }
        return nil
    }

    /// A store into one parity slot of a shared buffer, inside a loop holding exactly one barrier, of a value
    /// computed (directly or through locals assigned in the loop) from a read of the other slot of that buffer.
    func pingPongExchange(_ barriers: [Node], _ flow: KernelIndexFlow) -> Node? {
        for barrier in barriers {
            guard let loop = MemSupport.enclosingLoops(barrier).first,
                  barriers.filter({ MemSupport.contains(loop, $0) }).count == 1 else { continue }
            // Outermost element accesses of shared buffers in the loop, with their parity slot.
            let accesses: [(node: Node, buffer: String, slot: String)] = loop.preorder.compactMap { node in
                guard node.type == "subscript_expression",
                      !(node.parent?.type == "subscript_expression" && node.parent?.child(byField: "argument") == node),
                      let buffer = flow.sharedAccess(node), let slot = paritySlot(node, flow) else { return nil }
                return (node: node, buffer: buffer, slot: slot)
            }
            guard !accesses.isEmpty else { continue }
            let assignments = flow.nodes(["assignment_expression"]).filter { MemSupport.contains(loop, $0) && flow.operatorText($0) == "=" }
            let writes = accesses.filter { access in
                assignments.contains { flow.strip($0.child(byField: "left"))?.byteRange == access.node.byteRange }
            }
            for write in writes {
                let reads = accesses.filter { $0.buffer == write.buffer && $0.slot != write.slot && $0.node.byteRange != write.node.byteRange }
                guard !reads.isEmpty,
                      let assignment = assignments.first(where: { flow.strip($0.child(byField: "left"))?.byteRange == write.node.byteRange }),
                      let value = assignment.child(byField: "right") else { continue }
                let tainted = localsComputed(from: reads.map(\.node), in: loop, flow)
                let fromRead = reads.contains { MemSupport.contains(value, $0.node) }
                    || value.preorder.contains { $0.type == "identifier" && tainted.contains($0.text) }
                if fromRead { return write.node }
            }
        }
        return nil
    }

    /// The parity term in an access's indices: `cur`, `cur ^ 1`, `i % 2`, or a local defined as one
    /// (`rd = (d - 1) & 1`), as written.
    func paritySlot(_ access: Node, _ flow: KernelIndexFlow) -> String? {
        var current: Node? = access
        var indices: [Node] = []
        while let c = current, c.type == "subscript_expression" {
            if let index = c.child(byField: "indices") { indices.append(index) }
            current = flow.strip(c.child(byField: "argument"))
        }
        for index in indices.reversed() {
            for node in index.preorder {
                if node.type == "binary_expression" || node.type == "parenthesized_expression", isParity(node, flow) {
                    return String(node.text.filter { !$0.isWhitespace })
                }
                if node.type == "identifier" {
                    let values = flow.values(of: node.text, at: node).compactMap { flow.strip($0) }
                    let definedAsParity = !values.isEmpty && values.allSatisfy { $0.type == "binary_expression" && isParity($0, flow) }
                    if definedAsParity || alternates(node, flow) {
                        return node.text
                    }
                }
            }
        }
        return nil
    }

    /// A parity expression: `p % 2`, `p & 1`, `p ^ 1`, or the other slot `1 - p`.
    func isParity(_ node: Node, _ flow: KernelIndexFlow) -> Bool {
        if alternates(node, flow) { return true }
        guard let value = flow.strip(node), value.type == "binary_expression" else { return false }
        return flow.operatorText(value) == "-" && flow.literalValue(value.child(byField: "left")) == 1
    }

    /// Locals assigned in `loop` whose value reads one of `reads` or another such local (to a fixed point).
    func localsComputed(from reads: [Node], in loop: Node, _ flow: KernelIndexFlow) -> Set<String> {
        var definitions: [(name: String, value: Node)] = []
        for node in loop.preorder {
            if node.type == "init_declarator", let name = flow.declaredName(node.child(byField: "declarator")),
               let value = node.child(byField: "value") {
                definitions.append((name, value))
            } else if node.type == "assignment_expression", let left = flow.strip(node.child(byField: "left")),
                      left.type == "identifier", let value = node.child(byField: "right") {
                definitions.append((left.text, value))
            }
        }
        var tainted = Set<String>()
        var changed = true
        while changed {
            changed = false
            for (name, value) in definitions where !tainted.contains(name) {
                let derived = reads.contains { MemSupport.contains(value, $0) }
                    || value.preorder.contains { $0.type == "identifier" && tainted.contains($0.text) }
                if derived { tainted.insert(name); changed = true }
            }
        }
        return tainted
    }

    /// A loop holding a block barrier whose condition stops at the warp size (`s > 32`), followed by warp
    /// shuffles or `__syncwarp()`.
    func warpSynchronousTail(_ barriers: [Node], _ flow: KernelIndexFlow) -> Node? {
        let warpCalls = flow.nodes(["call_expression"]).filter { call in
            guard let callee = call.child(byField: "function") else { return false }
            let name = MemSupport.calleeSpelling(callee)
            return name == "__syncwarp" || name.hasPrefix("__shfl")
        }
        for barrier in barriers {
            for loop in MemSupport.enclosingLoops(barrier) where loop.type == "for_statement" {
                guard let condition = loop.child(byField: "condition"),
                      condition.preorder.contains(where: { $0.type == "number_literal" && ["32", "32u"].contains($0.text) }),
                      warpCalls.contains(where: { $0.startByte > loop.endByte }) else { continue }
                return loop
            }
        }
        return nil
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
