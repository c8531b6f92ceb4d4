import TreeSitterKit

/// `bf16_or_fp16_math`: the kernel (with the device helpers it calls) reads or writes `__nv_bfloat16` / `half`
/// data: a parameter or local whose canonical type (libclang, so typedefs such as `floatX` and `using`
/// aliases are seen through under the default build) is a 16-bit float type, a template kernel instantiated with
/// a 16-bit type argument (at a launch, or where the host takes its address: `auto k = kern<half, 64>;`), the
/// argument being a 16-bit type directly, through an alias, or through a type name that an enclosing dispatch
/// macro binds to a 16-bit type in one of its cases (`DISPATCH(dtype, [&] { kern<scalar_t><<<...>>>(...); })`
/// with `using scalar_t = half;` in the macro), or a call of the bf16/fp16 conversion intrinsics. Computing in fp32 after a cast
/// still counts (mixed precision).
/// Rejected: a `floatX` typedef that resolves to `float` in this build, half types named only in comments or
/// strings, and helpers with half data that the kernel never calls.
struct Bf16OrFp16Math: TechniqueDetector {
    let id = "bf16_or_fp16_math"

    static let conversions: Set<String> = [
        "__float2half", "__float2half_rn", "__float2half_rz", "__half2float", "__float2bfloat16", "__float2bfloat16_rn",
        "__float2bfloat16_rz", "__bfloat162float", "__floats2half2_rn", "__float22half2_rn", "__half22float2",
        "__floats2bfloat162_rn", "__float22bfloat162_rn", "__bfloat1622float2", "__low2float", "__high2float",
        "__float2half2_rn", "__float2bfloat162_rn",
    ]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        let aliases = KernelAST.aliases(facts)
        if facts.inventory != nil {
            let lowTypes = facts.types(in: kernel).filter { !Set(CUDAFacts.identifiers(in: $0)).isDisjoint(with: KernelAST.lowPrecisionTypes) }
            if let first = lowTypes.first {
                evidence.append(facts.evidence(kernel.node.child(byField: "declarator") ?? kernel.node,
                                               "16-bit float data (\(first))"))
            }
        } else {
            for f in facts.reach(kernel) {
                for (_, type) in KernelAST.declaredTypes(f) where !KernelAST.resolve(type, aliases: aliases).isDisjoint(with: KernelAST.lowPrecisionTypes) {
                    evidence.append(facts.evidence(f.node.child(byField: "declarator") ?? f.node, "16-bit float data (\(type))"))
                    break
                }
            }
        }
        // A template kernel instantiated with a 16-bit type at a launch or where the host names an instantiation.
        for function in facts.root.preorder where function.type == "template_function" {
            guard KernelAST.bare(function.child(byField: "name")?.text ?? "") == kernel.name,
                  !KernelAST.isInside(function, kernel.node),
                  let arguments = function.child(byField: "arguments") else { continue }
            let types = KernelAST.resolve(arguments.text, aliases: aliases)
                .union(Self.dispatchedTypes(arguments.preorder.filter { $0.type == "type_identifier" || $0.type == "identifier" }.map(\.text),
                                            around: function, facts))
            if !KernelAST.resolve(types.joined(separator: " "), aliases: aliases).isDisjoint(with: KernelAST.lowPrecisionTypes) {
                let site = function.parent?.type == "call_expression" ? function.parent ?? function : function
                evidence.append(facts.evidence(site, "kernel instantiated with a 16-bit float type"))
                break
            }
        }
        for (name, node) in facts.callNodes(in: kernel) where KernelAST.matches(name, Self.conversions, facts) {
            evidence.append(facts.evidence(node, "conversion to or from a 16-bit float type"))
        }
        return evidence
    }

    /// The types that enclosing macro invocations bind to any of `names` (`using scalar_t = half;` in one case of a
    /// dispatch macro's replacement, read with the grammar, see `MacroText`).
    static func dispatchedTypes(_ names: [String], around node: Node, _ facts: CUDAFacts) -> Set<String> {
        var result: Set<String> = []
        var current = node.parent
        while let c = current {
            if c.type == "call_expression", let callee = c.child(byField: "function"), let body = facts.macros[callee.text] {
                for binding in MacroText.typeBindings(body) where names.contains(binding.name) { result.insert(binding.type.text) }
            }
            current = c.parent
        }
        return result
    }
}
