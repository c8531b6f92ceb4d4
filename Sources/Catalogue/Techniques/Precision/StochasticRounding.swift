import TreeSitterKit

/// `stochastic_rounding`: an fp32 value is rounded to a lower precision randomly rather than to nearest. Found
/// in the kernel or a device helper it calls, in either shape:
/// - bit level: the float's bit pattern (`__float_as_uint`, a reinterpreting cast) has its low, to-be-dropped
///   bits masked off and compared with, or added to, a value that does not come from the same bits (random
///   bits: a hash of thread/seed, a curand draw, a random argument), and the result becomes a 16-bit float
///   (`__float2bfloat16*`, `__float2half*`, `__uint_as_float`, a 16-bit store);
/// - value level: a curand-style draw is added to the value that a 16-bit conversion then receives.
/// Rejected: plain `__float2bfloat16_rn` (round to nearest), manual round-to-nearest-even on the bits (the
/// added bias comes from the bits themselves), truncation by masking alone, and random numbers used for
/// anything other than the conversion (e.g. dropout).
struct StochasticRounding: TechniqueDetector {
    let id = "stochastic_rounding"

    static let bitCasts: Set<String> = ["__float_as_uint", "__float_as_int", "float_as_uint", "__float_as_uint32"]
    static let lowering: Set<String> = [
        "__float2bfloat16", "__float2bfloat16_rn", "__float2bfloat16_rz", "__float2bfloat16_rd", "__float2bfloat16_ru",
        "__float2half", "__float2half_rn", "__float2half_rz", "__float2half_rd", "__float2half_ru", "__uint_as_float",
        "__int_as_float", "__ushort_as_bfloat16", "__ushort_as_half", "__float2bfloat162_rn", "__floats2bfloat162_rn",
        "__floats2half2_rn",
    ]
    static let randomSources: Set<String> = [
        "curand", "curand_uniform", "curand_uniform4", "curand_normal", "curand4", "curand_poisson", "hiprand",
        "hiprand_uniform", "philox", "rand",
    ]

    func detect(kernel: CUDAFacts.Function, in facts: CUDAFacts) -> [Evidence] {
        var evidence: [Evidence] = []
        for f in facts.reach(kernel) {
            guard let body = f.body else { continue }
            let assignments = KernelAST.assignments(in: body)
            let lowers = !KernelAST.calls(in: body, named: Self.lowering, facts: facts).isEmpty
            // Variables holding the float's bit pattern.
            var bits = Set<String>()
            for a in assignments {
                guard let name = a.name else { continue }
                if isBitCast(a.value, facts) { bits.insert(name) }
            }
            // Variables holding bits derived from those (masked low bits, shifted copies).
            var derived = bits
            for _ in 0..<2 {
                for a in assignments {
                    guard let name = a.name, !derived.contains(name) else { continue }
                    if !Set(KernelAST.identifiers(in: a.value)).isDisjoint(with: derived) || isBitCast(a.value, facts) { derived.insert(name) }
                }
            }
            if !bits.isEmpty, lowers {
                for n in body.preorder where n.type == "binary_expression" {
                    guard let o = KernelAST.op(n), ["<", ">", "<=", ">=", "+"].contains(o),
                          let l = n.child(byField: "left"), let r = n.child(byField: "right") else { continue }
                    for (mine, other) in [(l, r), (r, l)] {
                        guard maskedLowBits(mine, bits: derived) else { continue }
                        let otherNames = Set(KernelAST.identifiers(in: other))
                        let independent = otherNames.isDisjoint(with: derived) && !otherNames.isEmpty
                            && !isConstant(other, facts)
                        if independent {
                            evidence.append(facts.evidence(n, "dropped low bits compared with / offset by random bits before down-casting"))
                        }
                    }
                }
            }
            // Value level: a random draw feeds the value a 16-bit conversion receives.
            var noisy = Set<String>()
            for a in assignments where KernelAST.containsCall(a.value, Self.randomSources, facts: facts) || 
                !Set(KernelAST.identifiers(in: a.value)).isDisjoint(with: noisy) {
                if let name = a.name { noisy.insert(name) }
            }
            for call in KernelAST.calls(in: body, named: Self.lowering.subtracting(["__uint_as_float", "__int_as_float"]), facts: facts) {
                guard let args = call.child(byField: "arguments") else { continue }
                if KernelAST.containsCall(args, Self.randomSources, facts: facts) || !Set(KernelAST.identifiers(in: args)).isDisjoint(with: noisy) {
                    evidence.append(facts.evidence(call, "random perturbation before down-casting"))
                }
            }
        }
        return evidence
    }

    func isBitCast(_ value: Node, _ facts: CUDAFacts) -> Bool {
        let v = KernelAST.unwrap(value)
        if v.type == "call_expression", let name = KernelAST.callee(v), KernelAST.matches(name, Self.bitCasts, facts) { return true }
        // *(unsigned int*)&x or *reinterpret_cast<unsigned*>(&x)
        if v.type == "pointer_expression", KernelAST.op(v) == "*", let inner = v.child(byField: "argument") {
            let i = inner.type == "parenthesized_expression" ? KernelAST.unwrap(inner) : inner
            let typeText: String?
            if inner.type == "cast_expression" { typeText = inner.child(byField: "type")?.text } else if i.type == "call_expression",
                      let function = i.child(byField: "function"), function.type == "template_function",
                      function.child(byField: "name")?.text == "reinterpret_cast" {
                typeText = function.child(byField: "arguments")?.text
            } else { typeText = nil }
            if let t = typeText, t.contains("unsigned") || t.contains("uint32_t") || t.contains("int") { return true }
        }
        return false
    }

    /// `bits & 0xFFFF`-style: bits of the pattern below the kept precision (or a variable holding them).
    func maskedLowBits(_ node: Node, bits: Set<String>) -> Bool {
        let n = KernelAST.unwrap(node)
        if n.type == "identifier" { return bits.contains(n.text) }
        guard n.type == "binary_expression", KernelAST.op(n) == "&",
              let l = n.child(byField: "left"), let r = n.child(byField: "right") else { return false }
        let mask = [l, r].first { KernelAST.unwrap($0).type == "number_literal" }
        let operand = [l, r].first { KernelAST.unwrap($0).type != "number_literal" }
        guard let mask, let operand, let value = Self.integer(KernelAST.unwrap(mask).text) else { return false }
        // A run of low one-bits: the fraction bits a 16-bit format drops.
        let lowRun = value > 0 && (value & (value + 1)) == 0 && value >= 0xFF && value <= 0xFFFFF
        return lowRun && !Set(KernelAST.identifiers(in: operand)).isDisjoint(with: bits)
    }

    func isConstant(_ node: Node, _ facts: CUDAFacts) -> Bool {
        !node.preorder.contains { $0.type == "identifier" && facts.macros[$0.text] == nil }
    }

    static func integer(_ literal: String) -> UInt64? {
        var text = literal.lowercased()
        while let last = text.last, last == "u" || last == "l" { text.removeLast() }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
        return UInt64(text)
    }
}
