import TreeSitterKit

/// `register_caching`: a value that is used many times is loaded once into a register instead of being
/// re-read from memory on every use. Found when a scalar local, initialised by a load from global or shared
/// memory, is read (and never written) inside a loop that follows it in the same block: in the body of an outer
/// loop (the load hoisted out of the inner loop), or before a loop of the kernel (a row statistic or parameter
/// loaded once and reused for every element). Also found for a local register array (`float v[N]`,
/// `std::array` / `cuda::std::array`) whose elements are assigned from memory and then re-read: in two or more
/// loops, one of them after the filling loops (a row kept in registers across the max / exp / normalise or
/// moments / relaxation passes), or inside a loop that neither fills it nor indexes the read (a bias or
/// neighbour queue loaded once and reused on every iteration). Decided from the code only; comments play no
/// part. Loads repeated inside the inner loop, hoisted operands or arrays that only feed a multi-output
/// register tile (that is `register_blocking`), an accumulated tile itself, and an array that is only a
/// load/store buffer (filled, then read once in a single loop over its elements) do not count. Reads that only
/// move elements within register arrays (`v[i] = f(v[i])`, a queue shifting) are not re-uses.
struct RegisterCaching: TechniqueDetector {
    let id = "register_caching"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let shared = MemSupport.sharedNames(kernel, facts)
        var evidence: [Evidence] = []
        let aliases = MemSupport.aliases(facts)
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let sources = MemSupport.pointerNames(in: f).union(shared)
            let tiles = Set(MemSupport.registerArrays(in: f).map(\.name))
            for declaration in body.preorder where declaration.type == "declaration" && !MemSupport.isShared(declaration) {
                // Scalars only: a vector or packed value unpacked by the loop that follows is just a wide load.
                guard let type = declaration.child(byField: "type"), Self.isScalar(type, aliases) else { continue }
                for declarator in MemSupport.declarators(of: declaration) where declarator.type == "init_declarator" {
                    guard let inner = declarator.child(byField: "declarator"), inner.type == "identifier",
                          let value = declarator.child(byField: "value"),
                          !MemSupport.memoryReads(in: value, pointers: sources).isEmpty else { continue }
                    let name = inner.text
                    let outer = MemSupport.enclosingLoops(declaration, within: body).first
                    // A later loop, inside the same enclosing block, that reads the value without changing it.
                    guard let block = declaration.parent else { continue }
                    let loops = block.namedChildren.filter { $0.startByte > declaration.endByte }
                        .flatMap { $0.preorder.filter { MemSupport.loopTypes.contains($0.type) } }
                    for loop in loops {
                        let uses = MemSupport.uses(of: name, in: loop)
                        guard !uses.isEmpty, !uses.contains(where: { MemSupport.isWritten($0) }) else { continue }
                        // Uses that only feed a register tile are register blocking.
                        let feedsOnlyTiles = uses.allSatisfy { use in
                            var current: Node? = use
                            while let c = current, c != loop {
                                if c.type == "assignment_expression", let target = c.child(byField: "left"),
                                   let element = RegisterBlocking.tileElement(target), let root = MemSupport.base(of: element),
                                   tiles.contains(root) { return true }
                                current = c.parent
                            }
                            return false
                        }
                        if feedsOnlyTiles { continue }
                        evidence.append(facts.evidence(declaration, "`\(name)` loaded once into a register"))
                        evidence.append(facts.evidence(uses[0], outer != nil ? "re-used inside the inner loop" : "re-used inside the loop"))
                        break
                    }
                    if !evidence.isEmpty { return evidence }
                }
            }
            let arrays = Self.registerArrayObjects(in: f, body: body)
            let arrayNames = tiles.union(arrays.map(\.name))
            for (name, declaration) in arrays where RegisterBlocking.accumulation(into: name, in: body, after: declaration) == nil {
                guard let reuse = Self.cachedArrayReuse(name, declaredBy: declaration, in: body, sources: sources, arrays: arrayNames) else { continue }
                return [facts.evidence(declaration, "`\(name)` filled from memory into registers"),
                        facts.evidence(reuse, "re-used from registers")]
            }
        }
        return evidence
    }

    /// Local arrays held in registers: `float v[N]` (non-shared, non-static) and `std::array` / `cuda::std::array`
    /// objects.
    static func registerArrayObjects(in function: CUDAFacts.Function, body: Node) -> [(name: String, declaration: Node)] {
        var result = MemSupport.registerArrays(in: function).map { (name: $0.name, declaration: $0.declaration) }
        for declaration in body.preorder where declaration.type == "declaration" && !MemSupport.isShared(declaration)
            && !MemSupport.isStaticOrExtern(declaration) {
            guard let type = declaration.child(byField: "type"), type.type == "template_type" || type.type == "qualified_identifier",
                  MemSupport.typeName(type) == "array" else { continue }
            for declarator in MemSupport.declarators(of: declaration) {
                let inner = declarator.type == "init_declarator" ? declarator.child(byField: "declarator") : declarator
                if let inner, inner.type == "identifier" { result.append((name: inner.text, declaration: declaration)) }
            }
        }
        return result
    }

    /// The first re-use of a register array filled from memory, or nil. Fills are assignments to an element
    /// (`v[i] = src[i]`, `h[i][j] = __hadd2(r[j], d[j])`) whose value reads one of `sources`. Counted reads
    /// are the array's uses after its declaration that are not written and do not only feed an element of a
    /// register array. The array is cached when a counted read sits in a loop that contains no fill and does
    /// not index the read (every iteration reuses the element), or when counted reads sit in two or more
    /// distinct innermost loops, one of which contains no fill (the array outlives the filling pass).
    static func cachedArrayReuse(_ name: String, declaredBy declaration: Node, in body: Node, sources: Set<String>,
                                 arrays: Set<String>) -> Node? {
        var fills: [Node] = []
        for (target, value, _, node) in MemSupport.assignments(in: body)
        where node.type == "assignment_expression" && node.startByte > declaration.endByte {
            guard let element = RegisterBlocking.tileElement(target), MemSupport.base(of: element) == name,
                  let value, !MemSupport.memoryReads(in: value, pointers: sources).isEmpty else { continue }
            fills.append(node)
        }
        guard !fills.isEmpty else { return nil }
        func fillsInside(_ loop: Node) -> Bool { fills.contains { MemSupport.contains(loop, $0) } }

        var readLoops: [Node] = []
        var laterPass: Node?
        for use in MemSupport.uses(of: name, in: body) where use.startByte > declaration.endByte {
            let access = SharedMemoryTiling.outerAccess(use)
            guard !MemSupport.isWritten(access), !feedsRegisterArray(use, arrays, within: body) else { continue }
            let loops = MemSupport.enclosingLoops(use, within: body)
            for (depth, loop) in loops.enumerated() where !fillsInside(loop) {
                // Loops nested inside `loop` that enclose the read: their variables index it per iteration of theirs.
                let innerVariables = Set(loops.prefix(depth).compactMap(RegisterBlocking.loopVariable))
                let perIteration = Self.namesChanged(in: loop).union(RegisterBlocking.loopVariable(loop).map { [$0] } ?? [])
                    .subtracting(innerVariables)
                if !MemSupport.mentions(perIteration, in: access) { return use }
            }
            guard let innermost = loops.first else { continue }
            if !readLoops.contains(innermost) { readLoops.append(innermost) }
            if laterPass == nil, !fillsInside(innermost) { laterPass = use }
        }
        return readLoops.count >= 2 ? laterPass : nil
    }

    /// Whether `use` only feeds an assignment to an element of one of `arrays` (a register tile or the array itself).
    static func feedsRegisterArray(_ use: Node, _ arrays: Set<String>, within limit: Node) -> Bool {
        var current: Node? = use
        while let c = current, c != limit {
            if c.type == "assignment_expression", let target = c.child(byField: "left"),
               let element = RegisterBlocking.tileElement(target), let root = MemSupport.base(of: element), arrays.contains(root),
               !MemSupport.contains(target, use) { return true }
            current = c.parent
        }
        return false
    }

    /// Identifiers declared or assigned inside `node` (loop variables of nested loops included).
    static func namesChanged(in node: Node) -> Set<String> {
        var names: Set<String> = []
        for (target, _, _, _) in MemSupport.assignments(in: node) {
            if target.type == "identifier" { names.insert(target.text) }
        }
        return names
    }

    static let scalars: Set<String> = ["float", "double", "int", "unsigned", "long", "short", "char", "bool", "half", "__half",
                                       "nv_bfloat16", "__nv_bfloat16", "int32_t", "uint32_t", "int64_t", "uint64_t", "size_t"]

    static func isScalar(_ type: Node, _ aliases: [String: String]) -> Bool {
        if type.type == "primitive_type" || type.type == "sized_type_specifier" { return true }
        guard let name = MemSupport.typeName(type) else { return false }
        return scalars.contains(MemSupport.resolve(name, aliases))
    }
}
