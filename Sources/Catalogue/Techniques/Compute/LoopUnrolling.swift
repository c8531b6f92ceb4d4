import TreeSitterKit

/// `loop_unrolling`: a loop in the kernel (or a device helper it calls) is marked for unrolling with
/// `#pragma unroll` / `#pragma unroll N` placed right before it, or is unrolled by hand: a loop whose trip count
/// is a named compile-time unroll factor (a macro, `constexpr` or non-type template parameter whose name says
/// UNROLL) that fills or consumes a register array of that same size.
/// Rejected: `#pragma unroll 1` (which forbids unrolling), a pragma that precedes no loop, and loops whose
/// bound is merely a constant.
struct LoopUnrolling: TechniqueDetector {
    let id = "loop_unrolling"

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for pragma in facts.pragmas(in: kernel) where pragma.type == "preproc_call" {
            guard pragma.child(byField: "directive")?.text == "#pragma",
                  let argument = pragma.child(byField: "argument")?.text else { continue }
            let words = argument.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" })
            guard words.first == "unroll" else { continue }
            if words.count > 1, words[1] == "1" { continue }
            var next = pragma.nextNamedSibling
            while let n = next, n.type == "comment" { next = n.nextNamedSibling }
            guard let next, KernelAST.loopTypes.contains(next.type) else { continue }
            evidence.append(facts.evidence(pragma, "loop marked for unrolling"))
        }
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let constants = unrollFactors(f, facts)
            guard !constants.isEmpty else { continue }
            let registerArrays = Set(body.preorder.compactMap { n -> String? in
                guard n.type == "array_declarator", let size = n.child(byField: "size"),
                      !Set(KernelAST.identifiers(in: size)).isDisjoint(with: constants) else { return nil }
                return n.child(byField: "declarator")?.text
            })
            guard !registerArrays.isEmpty else { continue }
            for loop in body.preorder where loop.type == "for_statement" {
                guard let condition = loop.child(byField: "condition"),
                      !Set(KernelAST.identifiers(in: condition)).isDisjoint(with: constants),
                      let loopBody = loop.child(byField: "body") else { continue }
                let indexed = loopBody.preorder.contains { n in
                    n.type == "subscript_expression" && registerArrays.contains(n.child(byField: "argument")?.text ?? "")
                }
                if indexed { evidence.append(facts.evidence(loop, "loop over a register array sized by a named unroll factor")) }
            }
        }
        return evidence
    }

    /// Compile-time constants of `function` whose name marks them as an unroll factor.
    func unrollFactors(_ function: CUDAFacts.Function, _ facts: CUDAFacts) -> Set<String> {
        var names = Set(facts.macros.keys)
        if let template = function.node.parent, template.type == "template_declaration",
           let parameters = template.child(byField: "parameters") {
            for p in parameters.namedChildren where p.type == "parameter_declaration" || p.type == "optional_parameter_declaration" {
                if let d = p.child(byField: "declarator") { names.insert(d.text) }
            }
        }
        for n in facts.root.preorder where n.type == "declaration" && n.children.contains(where: { $0.type == "type_qualifier" && $0.text == "constexpr" }) {
            for a in KernelAST.assignments(in: n) { if let name = a.name { names.insert(name) } }
        }
        return names.filter { $0.uppercased().contains("UNROLL") }
    }
}
