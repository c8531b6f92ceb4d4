import Parsing
import TreeSitterKit

/// `rotary_embeddings`: queries and keys are rotated by position-dependent angles (RoPE) before attention.
///
/// Requires an attention computation (SDPA, FlexAttention, flash attention, or `softmax(q @ k^T)`) whose query and
/// key, followed back to their projections, both pass through a rotation: a function or module of the file whose
/// code (or a kernel it launches, Triton or a compiled CUDA extension's) pairs `a*cos + b*sin` with `a*sin - b*cos` over the same factors (half split or
/// interleaved; either written as `torch.addcmul(a * cos, b, sin)`; a product also as `a.mul(cos)` or `torch.mul`:
/// `lo.mul(cos).addcmul(hi, sin)` with `hi.mul(cos).addcmul(lo, sin, value=-1)`; each product also through a temporary,
/// `lo_cos = lo * cos` then `lo_cos + hi_sin`), uses `x*cos + rotate_half(x)*sin` (also as `torch.addcmul(x * cos, rotate_half(x), sin)`), or multiplies a complex view (`view_as_complex`, `torch.complex`);
/// the rotation may be an operator a class of the file overloads (`turn * q` running a `__mul__` that rotates);
/// the file must take cosines and sines or build complex phases (`torch.polar`, `exp(1j * angle)`). A rotary module of a library (`rotary_embedding_torch`, torchtune RoPE,
/// flash-attn's `apply_rotary_emb`) counts as a rotation. A rotation may be called through a name bound to it, also one
/// unpacked from the registry entry the configuration selects (`table, self.turn = ENCODINGS[cfg["positional"]]` with
/// `"rotary": (Angles, spin)`). Rejects the word alone, a Rotary class that never
/// rotates q and k, rotating only one of them, and sinusoidal features added to the embeddings. Examples:
/// `queries/python/rotary_embeddings/examples/`.
struct RotaryEmbeddings: Detector {
    let id = "rotary_embeddings"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let model = facts.model()
        let flow = facts.dataflow
        let angles = hasAngles(facts)
        var evidence: [Evidence] = []
        for site in facts.attentionSites {
            let q = facts.lineage(of: site.query, model: model, flow: flow)
            let k = facts.lineage(of: site.key, model: model, flow: flow)
            guard let rq = rotation(in: q, facts, angles: angles), let rk = rotation(in: k, facts, angles: angles) else { continue }
            evidence.append(facts.evidence(rq, "query rotated by position (RoPE)"))
            evidence.append(facts.evidence(rk, "key rotated by position (RoPE)"))
        }
        return evidence
    }

    /// The first step of a lineage that rotates.
    func rotation(in lineage: Lineage, _ facts: PythonFacts, angles: Bool) -> Node? {
        for step in lineage.steps where step.type == "call" {
            let call = facts.callSite(step)
            if isLibraryRotary(call, facts) { return step }
            guard angles else { continue }
            // A compiled CUDA extension's function called directly (`rope_ext.turn_pairs(q, cos, sin)`).
            if !facts.extensionModuleNames.isEmpty, facts.extensionLaunches(call).contains(where: facts.cudaRotatesPairs) { return step }
            for target in facts.targets(of: call) where facts.reachableFunctions(from: target).contains(where: { rotates($0.node, facts) }) {
                return step
            }
        }
        // An operator a class of the file overloads to rotate (`q = turn * q`, `HalfTurn.__mul__` rotating the halves).
        for step in lineage.steps where angles && step.type == "binary_operator" {
            for target in facts.operatorMethods(step).map(\.method)
            where facts.reachableFunctions(from: target).contains(where: { rotates($0.node, facts) }) {
                return step
            }
        }
        // Written inline in the attention code.
        let sums = lineage.steps.filter { $0.type == "binary_operator" }
        if angles, let pair = rotationPair(sums + lineage.steps.filter { $0.type == "call" && isSumLike($0, facts) }, facts) { return pair }
        if angles, let sum = sums.first(where: { rotatesHalves($0, facts) }) { return sum }
        return nil
    }

    /// A call of a library rotary module or function (resolved through imports).
    func isLibraryRotary(_ call: CallSite, _ facts: PythonFacts) -> Bool {
        var names = [call.callee]
        if let function = call.function, facts.isReferenceChain(function) {
            let owner = call.receiver.flatMap { SettingsTable.bareName(of: $0) } ?? call.name
            if let module = facts.moduleConstructor(owner) { names.append(module.callee) }
            if let module = facts.moduleConstructor(call.name) { names.append(module.callee) }
        }
        return names.contains { name in
            guard let head = name.split(separator: ".").first.map(String.init), head != "self",
                  facts.imports.bindings.values.contains(where: { $0.hasPrefix(head) }), name.contains("." as Character) else { return false }
            let lower = name.lowercased()
            return lower.contains("rotary") || lower.contains("rope")
        }
    }

    /// Whether the file takes cosines and sines, or builds complex phases (`torch.polar`, `exp(1j * angle)`).
    func hasAngles(_ facts: PythonFacts) -> Bool {
        let names = Set(facts.calls.map(\.name))
        if names.contains("cos") && names.contains("sin") { return true }
        return facts.calls.contains(where: facts.makesComplexPhase)
    }

    /// Whether code rotates pairs of values: a rotation pair of sums of products, `x*cos + rotate_half(x)*sin`,
    /// or a product of a complex view.
    func rotates(_ scope: Node, _ facts: PythonFacts) -> Bool {
        let inside = facts.descendants(of: scope)
        let sums = inside.filter { isSumLike($0, facts) }
        if rotationPair(sums, facts) != nil { return true }
        if sums.contains(where: { rotatesHalves($0, facts) || rotatesFlippedPairs($0, facts) }) { return true }
        // torch.addcmul(x * cos, rotate_half(x), sin): the same sum written as one fused call.
        for n in inside where n.type == "call" {
            let call = facts.callSite(n)
            guard call.name == "addcmul", call.positional.count >= 3 || (call.receiver != nil && call.positional.count >= 2) else { continue }
            let operands = call.receiver != nil ? [call.receiver!] + call.positional : call.positional
            let product = strip(facts)(operands[0])
            guard isProduct(product, facts) else { continue }
            if swapFactor(in: Array(operands[1...2]), facts) { return true }
        }
        // A compiled CUDA extension's kernel that rotates pairs (see `PythonFacts.cudaRotatesPairs`).
        if !facts.extensionModuleNames.isEmpty,
           inside.contains(where: { $0.type == "call" && facts.extensionLaunches(facts.callSite($0)).contains(where: facts.cudaRotatesPairs) }) {
            return true
        }
        let complex = inside.contains { $0.type == "call" && ["torch.view_as_complex", "torch.complex"].contains(facts.callSite($0).callee) }
        return complex && inside.contains { $0.type == "binary_operator" && $0.child(byField: "operator")?.type == "*" }
    }

    /// `x * cos + rotate_half(x) * sin`: a sum of two products, one factor swapping the halves with one negated
    /// (a function of the file, an inline `torch.cat((-x2, x1), dim=-1)`, or a local holding one).
    func rotatesHalves(_ sum: Node, _ facts: PythonFacts) -> Bool {
        guard let (a, b) = products(sum, facts) else { return false }
        return swapFactor(in: factors(a, facts) + factors(b, facts), facts)
    }

    /// Whether one of the factors swaps the halves with one negated (a call of such a function of the file, an
    /// inline swap, or a name holding one).
    func swapFactor(in factors: [Node], _ facts: PythonFacts) -> Bool {
        for factor in factors.map(strip(facts)) {
            if factor.type == "call" {
                if let f = facts.calledFunction(facts.callSite(factor)) {
                    if swapsHalves(f.node, facts) { return true }
                } else if swapsHalves(factor, facts) {
                    return true
                }
            }
            if factor.type == "identifier", let value = facts.latestValue(of: factor.text, before: factor), swapsHalves(value, facts) {
                return true
            }
        }
        return false
    }

    /// Two sums of two products over the same four factors (`x1*c + x2*s` and `x1*(-s) + x2*c`).
    func rotationPair(_ sums: [Node], _ facts: PythonFacts) -> Node? {
        var seen: [(Node, [String])] = []
        for sum in sums {
            guard let leaves = sumLeaves(sum, facts), leaves.count == 4, Set(leaves).count == 4 else { continue }
            if let match = seen.first(where: { $0.1 == leaves && facts.compact($0.0) != facts.compact(sum) }) { return match.0 }
            seen.append((sum, leaves))
        }
        return nil
    }

    /// The factors of a sum of two products, sorted by text: `a*cos + b*sin`, or the fused
    /// `torch.addcmul(a * cos, b, sin)` (signs dropped).
    func sumLeaves(_ sum: Node, _ facts: PythonFacts) -> [String]? {
        if let (a, b) = products(sum, facts) {
            return (factors(a, facts) + factors(b, facts)).map { facts.compact($0) }.sorted()
        }
        guard sum.type == "call" else { return nil }
        let call = facts.callSite(sum)
        guard call.name == "addcmul" else { return nil }
        let operands = call.receiver.map { [$0] + call.positional } ?? call.positional
        guard operands.count >= 3, isProduct(strip(facts)(operands[0]), facts) else { return nil }
        return (factors(operands[0], facts) + [operands[1], operands[2]].map(strip(facts))).map { facts.compact($0) }.sorted()
    }

    /// Whether a node adds: a `+` / `-` operator, or `addcmul`.
    func isSumLike(_ node: Node, _ facts: PythonFacts) -> Bool {
        if node.type == "binary_operator" { return ["+", "-"].contains(node.child(byField: "operator")?.type ?? "") }
        return node.type == "call" && facts.callSite(node).name == "addcmul"
    }

    /// The two products of `p1 + p2` / `p1 - p2`.
    func products(_ sum: Node, _ facts: PythonFacts) -> (Node, Node)? {
        guard let l = sum.child(byField: "left").map(term(facts)), let r = sum.child(byField: "right").map(term(facts)),
              isProduct(l, facts), isProduct(r, facts) else { return nil }
        return (l, r)
    }

    /// A product: `a * b`, or its method / function form (`a.mul(b)`, `torch.mul(a, b)`; see `productOperands`).
    func isProduct(_ node: Node, _ facts: PythonFacts) -> Bool { facts.productOperands(node) != nil }

    /// Strips parentheses and unary minus.
    func strip(_ facts: PythonFacts) -> (Node) -> Node {
        { node in
            var current = facts.unparenthesized(node)
            while current.type == "unary_operator", let inner = current.child(byField: "argument") { current = facts.unparenthesized(inner) }
            return current
        }
    }

    /// A term of a sum: stripped (see `strip`), and a local name followed to the product it was set to (`lo_cos = lo *
    /// cos` then `new_lo = lo_cos + hi_sin`, every term in a temporary of its own). Factors themselves are not followed:
    /// a table set to a product (`cos = emb.cos() * scale`) stays one factor.
    func term(_ facts: PythonFacts) -> (Node) -> Node {
        { node in
            var current = self.strip(facts)(node)
            for _ in 0..<3 {
                guard current.type == "identifier", let value = facts.latestValue(of: current.text, before: current).map(facts.unparenthesized),
                      value != current, self.isProduct(self.strip(facts)(value), facts) else { break }
                current = self.strip(facts)(value)
            }
            return current
        }
    }

    func factors(_ product: Node, _ facts: PythonFacts) -> [Node] {
        let n = strip(facts)(product)
        guard let (l, r) = facts.productOperands(n) else { return [n] }
        return factors(l, facts) + factors(r, facts)
    }

    /// `c * x + s * flipped(x)`: the interleaved pairs of `x` swapped by a flip over a trailing axis of two
    /// (`x.view(..., d // 2, 2).flip(-1).view(x.shape)`, also through a local), the sign folded into the sine table
    /// (`s[..., 1::2] *= -1`): the multiplier of the swapped pairs is computed from a sine and the other from a cosine
    /// (followed through locals and the settings of attributes and buffers).
    func rotatesFlippedPairs(_ sum: Node, _ facts: PythonFacts) -> Bool {
        guard let (a, b) = products(sum, facts) else { return false }
        for (plain, swapped) in [(a, b), (b, a)] {
            let kept = factors(plain, facts), turned = factors(swapped, facts)
            guard let flipped = turned.compactMap({ pairFlipSource($0, facts) }).first,
                  let x = kept.first(where: { facts.compact($0) == facts.compact(flipped) }) else { continue }
            let sines = turned.filter { pairFlipSource($0, facts) == nil }
            let cosines = kept.filter { $0 != x }
            if sines.contains(where: { computedWith("sin", $0, facts) }) && cosines.contains(where: { computedWith("cos", $0, facts) }) {
                return true
            }
        }
        return false
    }

    /// For a pair flip (`t.view(..., d // 2, 2).flip(-1)...`, also held by a local), the tensor whose pairs it swaps.
    func pairFlipSource(_ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Node? {
        var n = facts.unwrapped(node)
        if n.type == "identifier", depth < 2, let held = facts.latestValue(of: n.text, before: n) {
            return pairFlipSource(held, facts, depth: depth + 1)
        }
        var flips = false, pairs = false
        while n.type == "call", let receiver = facts.callSite(n).receiver {
            let call = facts.callSite(n)
            if call.name == "flip" { flips = true }
            // The last size is 2: `view(..., d // 2, 2)`, `unflatten(-1, (-1, 2))`.
            if ["view", "reshape", "unflatten"].contains(call.name), var last = call.positional.last.map(facts.unparenthesized) {
                if ["tuple", "list"].contains(last.type), let inner = last.namedChildren.last { last = inner }
                if facts.evaluate(last) == 2 { pairs = true }
            }
            n = facts.unwrapped(receiver)
        }
        return flips && pairs ? n : nil
    }

    /// Whether a multiplier is computed with `trig` (`sin` / `cos`): followed through locals, subscripts and the
    /// settings of the attribute or buffer it reads, a few steps deep.
    func computedWith(_ trig: String, _ node: Node, _ facts: PythonFacts, depth: Int = 0) -> Bool {
        guard depth < 4 else { return false }
        let n = facts.unwrapped(node)
        let inside = [n] + facts.descendants(of: n)
        if inside.contains(where: { $0.type == "call" && facts.callSite($0).name == trig }) { return true }
        for reference in inside where reference.type == "identifier" || reference.type == "attribute" {
            if reference.type == "identifier", reference.parent?.type == "attribute" { continue }
            if reference.type == "identifier", let held = facts.latestValue(of: reference.text, before: reference), held != n {
                if computedWith(trig, held, facts, depth: depth + 1) { return true }
                continue
            }
            guard reference.type == "attribute", let name = reference.child(byField: "attribute")?.text else { continue }
            for setting in facts.allSettings.settings(name) where setting.source != .parameterDefault {
                if computedWith(trig, setting.value, facts, depth: depth + 1) { return true }
            }
        }
        return false
    }

    /// A `rotate_half` (a function, or an expression): the halves swapped with one negated
    /// (`torch.cat((-x2, x1), dim=-1)`).
    func swapsHalves(_ scope: Node, _ facts: PythonFacts) -> Bool {
        facts.descendants(of: scope).contains { n in
            guard n.type == "call", ["cat", "stack"].contains(facts.callSite(n).name) else { return false }
            return facts.descendants(of: n).contains { $0.type == "unary_operator" && $0.child(byField: "operator")?.type == "-" }
        }
    }
}
