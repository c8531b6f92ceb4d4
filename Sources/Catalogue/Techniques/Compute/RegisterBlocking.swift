import TreeSitterKit

/// `register_blocking`: each thread computes a tile of several outputs held in a local (register) array,
/// so every operand it loads is reused across the tile. Requires a non-shared local array of two or more
/// elements that is accumulated into (`acc[i][j] += a * b`, `acc[k] = fmaf(x, y, acc[k])`, or a field of a
/// vector element, `acc[r].x = fmaf(h, v.x, acc[r].x)`) inside a loop nest at least two deep, indexed by a
/// loop variable, and read again afterwards (written out). A plain assignment accumulates only when its value
/// reads the same element back; moving other elements of the array in (`q[m] = q[m - 1]`, a register queue
/// shifting) does not. A local array used only as a load/store buffer or a queue, a single scalar
/// accumulator, or accumulation in a single loop does not count.
struct RegisterBlocking: TechniqueDetector {
    let id = "register_blocking"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            for (name, declaration, sizes) in MemSupport.registerArrays(in: f) {
                let elements = sizes.reduce(1) { product, size in
                    let (value, overflow) = product.multipliedReportingOverflow(by: max(0, min(MemSupport.evaluate(size, facts) ?? 2, 1 << 20)))
                    return overflow ? Int.max : value
                }
                guard elements >= 2, let accumulation = Self.accumulation(into: name, in: body, after: declaration) else { continue }
                let readBack = MemSupport.uses(of: name, in: body).contains { use in
                    use.startByte > declaration.endByte && !MemSupport.contains(accumulation, use) && !MemSupport.isWritten(SharedMemoryTiling.outerAccess(use))
                }
                guard readBack else { continue }
                evidence.append(facts.evidence(declaration, "per-thread register tile `\(name)`"))
                evidence.append(facts.evidence(accumulation, "tile accumulated inside a loop nest"))
                break
            }
        }
        return evidence
    }

    /// An accumulating assignment into `name[...]` nested in two or more loops, one of whose variables indexes it.
    static func accumulation(into name: String, in body: Node, after declaration: Node) -> Node? {
        for (target, value, op, node) in MemSupport.assignments(in: body) where node.type != "init_declarator" && node.startByte > declaration.endByte {
            guard let element = tileElement(target), MemSupport.base(of: element) == name else { continue }
            let accumulates = (op != "=" && op != "++" && op != "--") || (value.map { readsBack(target, in: $0) } ?? false)
            guard accumulates else { continue }
            let loops = MemSupport.enclosingLoops(node, within: body)
            guard loops.count >= 2 else { continue }
            let loopVariables = Set(loops.compactMap(loopVariable))
            if MemSupport.mentions(loopVariables, in: target) { return node }
        }
        return nil
    }

    /// The array element an assignment target writes: `acc[i][j]` itself, or the element under a field access
    /// (`acc[r].x` -> `acc[r]`); nil for anything else.
    static func tileElement(_ target: Node) -> Node? {
        var current = target
        while current.type == "field_expression", let argument = current.child(byField: "argument") { current = argument }
        return current.type == "subscript_expression" ? current : nil
    }

    /// Whether `value` reads the very element `target` names (same spelling, whitespace aside): the self-referencing
    /// accumulation `acc[k] = fmaf(x, y, acc[k])`, as opposed to a copy from a neighbouring element.
    static func readsBack(_ target: Node, in value: Node) -> Bool {
        let spelling = KernelAST.compact(target)
        return value.preorder.contains { $0.type == target.type && KernelAST.compact($0) == spelling }
    }

    static func loopVariable(_ loop: Node) -> String? {
        guard loop.type == "for_statement", let initializer = loop.child(byField: "initializer") else { return nil }
        if let declarator = initializer.preorder.first(where: { $0.type == "init_declarator" }) {
            return MemSupport.declaredIdentifier(declarator.child(byField: "declarator") ?? declarator)
        }
        if initializer.type == "assignment_expression" { return initializer.child(byField: "left")?.text }
        return nil
    }
}
