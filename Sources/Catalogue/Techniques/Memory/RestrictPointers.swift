import TreeSitterKit

/// `restrict_pointers`: the kernel's own pointer parameters are declared `__restrict__` (or `__restrict`,
/// also when spelled through a macro or a typedef: libclang's parameter types are read). A restrict qualifier
/// on a local pointer, on a helper's or a host function's parameters, or on a non-pointer does not count.
struct RestrictPointers: TechniqueDetector {
    let id = "restrict_pointers"

    static let qualifiers: Set<String> = ["__restrict__", "__restrict", "restrict"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        let parameters = kernel.node.child(byField: "declarator")?.preorder.filter { $0.type == "parameter_declaration" } ?? []
        var restricted: [String] = []
        // libclang: `const float *__restrict` (the qualifier sits after the `*`, so it is on the pointer).
        if let function = facts.inventory?.functions.first(where: { $0.role == .kernel && ($0.name == kernel.name || $0.qualifiedName == kernel.name) }) {
            for parameter in function.parameters {
                guard let star = parameter.type.lastIndex(of: "*") else { continue }
                let after = parameter.type[parameter.type.index(after: star)...]
                if after.contains("restrict") { restricted.append(parameter.name) }
            }
        }
        // tree-sitter: a restrict qualifier inside the pointer declarator of a parameter.
        for parameter in parameters {
            for node in parameter.preorder where node.type == "pointer_declarator" {
                if node.children.contains(where: { $0.type == "type_qualifier" && Self.qualifiers.contains($0.text) }),
                   let name = MemSupport.declaredIdentifier(node), !restricted.contains(name) {
                    restricted.append(name)
                }
            }
        }
        guard !restricted.isEmpty else { return [] }
        return restricted.map { name in
            let node = parameters.first { p in p.preorder.contains { $0.type == "identifier" && $0.text == name } }
            return facts.evidence(node ?? kernel.node, "kernel pointer parameter `\(name)` is __restrict__")
        }
    }
}
