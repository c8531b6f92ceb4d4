import TreeSitterKit

/// `compile_time_specialization`: the kernel is specialised at compile time. It has a non-type template
/// parameter (block size, tile size, a `bool` flag, a device-function pointer) that its body (or the
/// template's own signature) actually uses, takes a `std::bool_constant` / `std::integral_constant` tag
/// argument, or branches with `if constexpr` (in the kernel or a device helper it calls). A type parameter that
/// is a traits/config struct counts when the kernel reads compile-time values from it (`template <class Cfg>`
/// with `Cfg::kRows` as a bound, array size or launch-bounds argument): its members fix the tile as constants.
/// Rejected: templates over types only (`template <typename T>`, including member types `typename T::value`
/// and static functions `Op::apply(a, b)` of a policy type), an unused non-type parameter, and runtime
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
            for p in parameters.namedChildren where ["type_parameter_declaration", "optional_type_parameter_declaration"].contains(p.type) {
                guard let name = typeParameterName(p), let member = constantMember(of: name, in: kernel) else { continue }
                evidence.append(facts.evidence(member, "compile-time constant read from the config type parameter `\(name)`"))
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

    /// The name a type template parameter declares (`Cfg` in `class Cfg`, `typename Cfg = Default`).
    func typeParameterName(_ parameter: Node) -> String? {
        if let name = parameter.child(byField: "name") { return name.text }
        return parameter.namedChildren.first { $0.type == "type_identifier" }?.text
    }

    /// A value member of the type parameter `name` read in the kernel (signature and body): `Cfg::kRows` as an
    /// expression (an identifier after the scope, not a member type and not a called static function).
    func constantMember(of name: String, in kernel: CUDAFacts.Function) -> Node? {
        for node in kernel.node.preorder where node.type == "qualified_identifier" {
            guard let scope = node.child(byField: "scope"), scope.type == "namespace_identifier", scope.text == name,
                  let member = node.child(byField: "name"), member.type == "identifier" else { continue }
            if let parent = node.parent, parent.type == "call_expression", parent.child(byField: "function") == node { continue }
            return node
        }
        return nil
    }

    func declaredName(_ parameter: Node) -> String? {
        var d = parameter.child(byField: "declarator")
        while let current = d, current.type != "identifier" {
            d = current.child(byField: "declarator") ?? current.namedChildren.first
        }
        return d?.text
    }
}
