import TreeSitterKit

/// `register_caching`: a value that is used many times is loaded once into a register instead of being
/// re-read from memory on every use. Found when a scalar local, initialised by a load from global or shared
/// memory, is read (and never written) inside a loop that follows it in the same block: in the body of an outer
/// loop (the load hoisted out of the inner loop), or before a loop of the kernel (a row statistic or parameter
/// loaded once and reused for every element). Decided from the code only; comments play no part. Loads repeated
/// inside the inner loop, and hoisted operands that only feed a multi-output register tile (that is
/// `register_blocking`), do not count.
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
                                   let root = MemSupport.base(of: target), tiles.contains(root), target.type == "subscript_expression" { return true }
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
        }
        return evidence
    }

    static let scalars: Set<String> = ["float", "double", "int", "unsigned", "long", "short", "char", "bool", "half", "__half",
                                       "nv_bfloat16", "__nv_bfloat16", "int32_t", "uint32_t", "int64_t", "uint64_t", "size_t"]

    static func isScalar(_ type: Node, _ aliases: [String: String]) -> Bool {
        if type.type == "primitive_type" || type.type == "sized_type_specifier" { return true }
        guard let name = MemSupport.typeName(type) else { return false }
        return scalars.contains(MemSupport.resolve(name, aliases))
    }
}
