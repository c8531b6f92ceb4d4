import TreeSitterKit

/// `compile_time_specialization`: the kernel is specialised at compile time. It has a non-type template
/// parameter (block size, tile size, a `bool` flag, a device-function pointer) that its body (or the
/// template's own signature) actually uses, takes a `std::bool_constant` / `std::integral_constant` tag
/// argument, or branches with `if constexpr` (in the kernel or a device helper it calls).
/// Rejected: templates over types only (`template <typename T>`), an unused non-type parameter, and runtime
/// flags or sizes passed as ordinary arguments.
struct CompileTimeSpecialization: TechniqueDetector {
    let id = "compile_time_specialization"

    static let tagTypes: Set<String> = ["bool_constant", "integral_constant", "true_type", "false_type"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        if let template = kernel.node.parent, template.type == "template_declaration",
           let parameters = template.child(byField: "parameters") {
            let used = Set(KernelAST.identifiers(in: kernel.node))
            for p in parameters.namedChildren {
                guard ["parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration"].contains(p.type),
                      let name = declaredName(p) else { continue }
                if used.contains(name) || p.type == "variadic_parameter_declaration" {
                    evidence.append(facts.evidence(p, "non-type template parameter used by the kernel"))
                }
            }
        }
        if let declarator = kernel.node.child(byField: "declarator") {
            let aliases = KernelAST.aliases(facts)
            for p in declarator.preorder where p.type == "parameter_declaration" {
                guard let type = p.child(byField: "type") else { continue }
                let words = KernelAST.resolve(type.text, aliases: aliases)
                if !words.isDisjoint(with: Self.tagTypes) { evidence.append(facts.evidence(p, "compile-time tag argument")) }
            }
        }
        for n in facts.nodes(in: kernel, types: ["if_statement"]) where n.children.contains(where: { $0.type == "constexpr" }) {
            evidence.append(facts.evidence(n, "branch resolved at compile time (if constexpr)"))
        }
        return evidence
    }

    func declaredName(_ parameter: Node) -> String? {
        var d = parameter.child(byField: "declarator")
        while let current = d, current.type != "identifier" {
            d = current.child(byField: "declarator") ?? current.namedChildren.first
        }
        return d?.text
    }
}
