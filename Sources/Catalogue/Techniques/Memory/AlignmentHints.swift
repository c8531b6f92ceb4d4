import SourceModel
import TreeSitterKit

/// `alignment_hints`: the code states alignment explicitly so wide or cache-line accesses are legal:
/// `__builtin_assume_aligned` in the kernel or a helper it calls, an `alignas(n)` / `__align__(n)` /
/// `__attribute__((aligned(n)))` on a variable the kernel declares, or on a struct type the kernel uses
/// (followed through typedefs and templates; libclang's canonical types are consulted too). An aligned type
/// that the kernel never uses, or the builtin's name in a comment, does not count.
struct AlignmentHints: TechniqueDetector {
    let id = "alignment_hints"

    static let builtins: Set<String> = ["__builtin_assume_aligned", "__assume_aligned", "assume_aligned"]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) {
            let bare = name.lastQualifiedComponent
            if !facts.expansion(of: bare).isDisjoint(with: Self.builtins) {
                evidence.append(facts.evidence(node, "alignment promised with `\(bare)`"))
            }
        }
        let aligned = MemSupport.alignedTypes(facts)
        let aliases = MemSupport.aliases(facts)
        var reported: Set<String> = []
        for f in facts.reach(kernel) {
            let roots = [f.node.child(byField: "declarator"), f.body].compactMap { $0 }
            for root in roots {
                for node in root.preorder {
                    if node.type == "alignas_qualifier" || ((node.type == "identifier" || node.type == "type_identifier") && node.text == "__align__") {
                        evidence.append(facts.evidence(node.parent ?? node, "variable declared with explicit alignment"))
                    } else if node.type == "attribute_specifier", node.preorder.contains(where: { $0.type == "identifier" && $0.text == "aligned" }) {
                        evidence.append(facts.evidence(node.parent ?? node, "variable declared with explicit alignment"))
                    } else if node.type == "type_identifier", node.parent?.type != "template_type" || node.parent?.child(byField: "name") == node {
                        let resolved = MemSupport.resolve(node.text, aliases)
                        if aligned[resolved] != nil, reported.insert(resolved).inserted {
                            evidence.append(facts.evidence(node.parent ?? node, "uses `\(resolved)`, declared with explicit alignment"))
                        }
                    }
                }
            }
        }
        // Canonical types (macros and templates seen through): `Packed128<float>` -> `Packed128`.
        for type in facts.types(in: kernel) {
            let words = MemSupport.identifiersAndNumbers(type)
            if let hit = words.first(where: { aligned[$0] != nil }), reported.insert(hit).inserted {
                evidence.append(facts.evidence(kernel.node, "uses `\(hit)` (\(type)), declared with explicit alignment"))
            }
        }
        return evidence
    }
}
