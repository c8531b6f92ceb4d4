import TreeSitterKit

/// `dynamic_shared_memory`: the kernel (or a helper it calls) declares `extern __shared__` storage, reads or
/// writes it, and the launches of the kernel that this source shows pass a non-zero shared-memory size as the
/// third launch parameter (a kernel whose launches are not in this source is given the benefit of the doubt).
/// An `extern __shared__` array that is declared but never used, or whose every visible launch passes no size
/// (or 0), does not count; neither do fixed-size `__shared__` arrays.
struct DynamicSharedMemory: TechniqueDetector {
    let id = "dynamic_shared_memory"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        // Declarations: libclang's, and tree-sitter's `extern __shared__` (kept when libclang is unavailable).
        var names = Set(facts.sharedDeclarations(in: kernel).filter(\.isDynamic).map(\.name))
        var declarationNodes: [String: Node] = [:]
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            for node in body.preorder where node.type == "declaration" && MemSupport.isShared(node) {
                let isExtern = node.children.contains { $0.type == "storage_class_specifier" && $0.text == "extern" }
                for declarator in MemSupport.declarators(of: node) {
                    guard let name = MemSupport.declaredIdentifier(declarator) else { continue }
                    if isExtern { names.insert(name) }
                    if names.contains(name) { declarationNodes[name] = node }
                }
            }
        }
        guard !names.isEmpty else { return [] }

        // Used: mentioned outside its own declaration.
        var used: [(String, Node)] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            for name in names {
                if let use = MemSupport.uses(of: name, in: body).first(where: { use in
                    !(declarationNodes[name].map { MemSupport.contains($0, use) } ?? false)
                }) {
                    used.append((name, use))
                }
            }
        }
        guard let (name, use) = used.first else { return [] }

        // Sized at launch.
        let launches = facts.launches(of: kernel)
        var evidence = [facts.evidence(declarationNodes[name] ?? use, "`extern __shared__ \(name)` sized at launch and used")]
        if !launches.isEmpty {
            let sized = launches.filter { launch in
                guard let size = launch.sharedMemory?.trimmingCharacters(in: .whitespaces), !size.isEmpty else { return false }
                guard let node = MemSupport.expression(size) else { return true }
                return MemSupport.evaluate(node, facts) != 0
            }
            guard let launch = sized.first else { return [] }
            evidence.append(MemSupport.launchEvidence(launch, facts, "launch passes \(launch.sharedMemory ?? "") bytes of dynamic shared memory", fallback: kernel.node))
        }
        return evidence
    }
}
