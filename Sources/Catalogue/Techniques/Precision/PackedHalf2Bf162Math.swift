import TreeSitterKit

/// `packed_half2_bf162_math`: the kernel (or a device helper it calls) computes on two 16-bit values at once:
/// the packed intrinsics (`__hadd2`, `__hmul2`, `__hfma2`, `h2exp`, ...), an arithmetic operator between
/// operands declared `half2` / `__nv_bfloat162` (typedefs followed), or an atomic on a packed pointer
/// (`atomicAdd(__half2*, ...)`).
/// Rejected: `half2` used only as a storage or load vector whose halves are converted to float for the math
/// (`__half22float2`), scalar half intrinsics (`__hadd`), and packed intrinsics named only in comments.
struct PackedHalf2Bf162Math: TechniqueDetector {
    let id = "packed_half2_bf162_math"

    static let packedIntrinsics: Set<String> = [
        "__hadd2", "__hsub2", "__hmul2", "__h2div", "__hfma2", "__hneg2", "__habs2", "__hmax2", "__hmin2",
        "__hadd2_sat", "__hsub2_sat", "__hmul2_sat", "__hfma2_sat", "__hfma2_relu", "__hadd2_rn", "__hsub2_rn",
        "__hmul2_rn", "__hmax2_nan", "__hmin2_nan", "__hcmadd", "h2exp", "h2exp2", "h2exp10", "h2log", "h2log2",
        "h2log10", "h2sqrt", "h2rsqrt", "h2rcp", "h2sin", "h2cos", "h2ceil", "h2floor", "h2trunc", "h2rint",
    ]
    static let atomics: Set<String> = ["atomicAdd", "atomicMax", "atomicMin", "atomicExch"]
    static let arithmetic: Set<String> = ["+", "-", "*", "/", "+=", "-=", "*=", "/="]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for (name, node) in facts.callNodes(in: kernel) where KernelAST.matches(name, Self.packedIntrinsics, facts) {
            evidence.append(facts.evidence(node, "packed 2-wide 16-bit arithmetic"))
        }
        let aliases = KernelAST.aliases(facts)
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let declared = KernelAST.declaredTypes(f)
            func packed(_ expression: Node, pointer: Bool) -> Bool {
                let e = expression.type == "parenthesized_expression" ? KernelAST.unwrap(expression) : expression
                var typeText: String?
                switch e.type {
                case "identifier": typeText = declared[e.text]
                case "cast_expression": typeText = e.child(byField: "type")?.text
                case "call_expression":
                    // reinterpret_cast<__half2*>(p)
                    if let function = e.child(byField: "function"), function.type == "template_function" {
                        typeText = function.child(byField: "arguments")?.text
                    }
                case "pointer_expression":
                    // &v or &p[i]: the address of a packed value.
                    guard pointer, KernelAST.op(e) == "&", let argument = e.child(byField: "argument") else { return false }
                    return packed(argument, pointer: false)
                case "subscript_expression":
                    if let argument = e.child(byField: "argument"), argument.type == "identifier",
                       let t = declared[argument.text], t.hasSuffix("*") || t.hasSuffix("[]") {
                        typeText = pointer ? nil : String(t.dropLast(t.hasSuffix("[]") ? 2 : 1))
                    }
                case "field_expression": return false
                default: return false
                }
                guard let typeText else { return false }
                if pointer, !typeText.contains("*" as Character) { return false }
                if !pointer, typeText.hasSuffix("*") { return false }
                return !KernelAST.resolve(typeText, aliases: aliases).isDisjoint(with: KernelAST.packedTypes)
            }
            for n in body.preorder {
                switch n.type {
                case "binary_expression":
                    guard let o = KernelAST.op(n), Self.arithmetic.contains(o),
                          let l = n.child(byField: "left"), let r = n.child(byField: "right") else { continue }
                    if packed(l, pointer: false) && packed(r, pointer: false) {
                        evidence.append(facts.evidence(n, "arithmetic on packed half2/bfloat162 operands"))
                    }
                case "assignment_expression":
                    guard let o = KernelAST.op(n), o != "=", Self.arithmetic.contains(o),
                          let l = n.child(byField: "left"), let r = n.child(byField: "right") else { continue }
                    if packed(l, pointer: false) && packed(r, pointer: false) {
                        evidence.append(facts.evidence(n, "compound arithmetic on packed half2/bfloat162 operands"))
                    }
                case "call_expression":
                    guard let name = KernelAST.callee(n), KernelAST.matches(name, Self.atomics, facts),
                          let first = n.child(byField: "arguments")?.namedChild(0) else { continue }
                    if packed(first, pointer: true) {
                        evidence.append(facts.evidence(n, "atomic on a packed half2/bfloat162 address"))
                    }
                default: continue
                }
            }
        }
        return evidence
    }
}
