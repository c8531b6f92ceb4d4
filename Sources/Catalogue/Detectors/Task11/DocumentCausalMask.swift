import Parsing
import TreeSitterKit

/// `document_causal_mask`: attention is causal and kept inside each packed document, documents being told
/// apart by a running count of end-of-text tokens (50256).
///
/// Requires an applied mask with both terms: a FlexAttention `mask_mod` (given to `create_block_mask` or
/// `BlockMask.from_kv_blocks`; or `and_masks` of such functions, or a combinator of the file that joins them the same way,
/// `reduce(operator.and_, [m(b, h, q, kv) for m in mods])`, see `PythonFacts.conjoinedMaskArguments`; or a mask function that
/// conjoins predicates drawn from a list, `keep = keep & pred(b, h, q, kv)` for the table entries a configured kind string
/// selects, `kind="causal+document"`, see `PythonFacts.conjoinedPredicates`; or mask objects of the
/// file's classes joined by an overloaded `&` or built into a conjunction object, `Causal() & SameDocument(ids)`, see
/// `PythonFacts.maskMod`) whose result compares the query and key positions causally and compares
/// document ids at the two positions with `==` (or `torch.eq` / `.eq`); or a dense mask built from a causal term (`tril`, a position
/// comparison) and such a document equality, given to SDPA as `attn_mask` (also handed down to it through the layers' parameters) or applied by hand to the scores a softmax
/// reads (`scores.masked_fill(~allowed, float("-inf"))`); or a varlen kernel called with `causal=True` whose
/// sequence bounds come from the end-of-text positions; or a causal block-diagonal bias (xformers'
/// `BlockDiagonalCausalMask.from_seqlens`, see `isBlockDiagonalCausal`) whose block lengths come from them. Document ids must come from a test of the tokens against
/// the separator id (50256, a name set to it, or an id the file does not spell out such as
/// `tokenizer.eot_token`; not another literal) accumulated with `cumsum` (or counted with `searchsorted` over the
/// separator positions). Rejects a causal-only mask even when
/// document ids are computed beside it, a document test without causality, and the words in comments or strings.
/// Examples: `queries/python/document_causal_mask/examples/`.
struct DocumentCausalMask: Detector {
    let id = "document_causal_mask"
    static let endOfText = 50256.0

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        var evidence: [Evidence] = []
        // FlexAttention mask functions.
        // (A conjunction, `and_masks(causal, same_doc)`, may hold the two terms in different parts.)
        for (_, mask) in facts.maskMods(flow) {
            var causal = false
            var same: Node?
            for part in mask.conjuncts {
                guard let q = part.queryIndex, let kv = part.keyIndex else { continue }
                let nodes = flow.closure(of: part.results)
                causal = causal || nodes.contains { isCausal($0, facts, query: q, key: kv) }
                same = same ?? nodes.first(where: { isDocumentEquality($0, facts, flow) })
            }
            if causal, let same {
                evidence.append(facts.evidence(same, "mask_mod: same document and causal"))
            }
        }
        // Dense masks given to SDPA or applied to the scores by hand.
        for mask in facts.denseAttentionMasks {
            // A mask handed down through the blocks' parameters (`layer(h, mask)` to the attention's `attn_mask=mask`)
            // is what the callers pass.
            let nodes = flow.closure(of: [mask], followingOwnParameters: true)
            let causal = nodes.contains { node in
                (node.type == "call" && ["tril", "triu"].contains(facts.callSite(node).name))
                    || (node.type == "comparison_operator" && [">=", "<=", ">", "<"].contains(comparisonOperator(node) ?? ""))
            }
            if causal, let same = nodes.first(where: { isDocumentEquality($0, facts, flow) }) {
                evidence.append(facts.evidence(same, "dense attn_mask: same document and causal"))
            }
        }
        // Variable-length kernels over document boundaries.
        for call in facts.calls where call.name.contains("varlen") {
            guard let causal = call.keywords["causal"], facts.isTruthy(causal) else { continue }
            // The bounds may come in through the attention's own parameters (a packing record handed to `forward`).
            let nodes = flow.closure(of: call.positional + Array(call.keywords.values), followingOwnParameters: true)
            if nodes.contains(where: { isEndOfTextTest($0, facts) }) {
                evidence.append(facts.evidence(call.node, "varlen causal attention over end-of-text boundaries"))
            }
        }
        // A block-diagonal causal bias (xformers' `BlockDiagonalCausalMask.from_seqlens(lengths)`, or
        // `BlockDiagonalMask...make_causal()`) given to attention, with the block lengths cut at end-of-text tokens.
        for call in facts.calls where call.name == "memory_efficient_attention" || call.callee == "torch.nn.functional.scaled_dot_product_attention" {
            guard let bias = call.keywords["attn_bias"] ?? call.keywords["attn_mask"] ?? call.positional.dropFirst(3).first else { continue }
            let nodes = flow.closure(of: [bias], followingOwnParameters: true)
            if nodes.contains(where: { isBlockDiagonalCausal($0, facts) }), nodes.contains(where: { isEndOfTextTest($0, facts) }) {
                evidence.append(facts.evidence(call.node, "block-diagonal causal bias over end-of-text boundaries"))
            }
        }
        return evidence
    }

    /// A causal block-diagonal attention bias: a class whose name starts with `BlockDiagonal` and says `Causal`
    /// (`BlockDiagonalCausalMask`, `BlockDiagonalCausalLocalAttentionMask`), built or made with `from_seqlens`, or any
    /// block-diagonal bias turned causal by `.make_causal()`. `BlockDiagonalMask` alone keeps documents apart without
    /// causality.
    func isBlockDiagonalCausal(_ node: Node, _ facts: PythonFacts) -> Bool {
        guard node.type == "call" else { return false }
        let call = facts.callSite(node)
        // The class a `from_seqlens` is called on: the part of the dotted callee before it (`fmha.attn_bias.X.from_seqlens`).
        let path = (call.function?.text ?? call.callee).split(separator: ".").map(String.init)
        let owner = call.name == "from_seqlens" ? (path.dropLast().last ?? "") : call.name
        if owner.hasPrefix("BlockDiagonal"), owner.contains("Causal") { return true }
        if call.name.hasPrefix("make_causal"), let receiver = call.receiver { return receiver.text.contains("BlockDiagonal") }
        return false
    }

    func comparisonOperator(_ node: Node) -> String? {
        let operators = node.children.filter { !$0.isNamed }.map(\.type)
        return operators.count == 1 ? operators[0] : nil
    }

    /// `q >= kv` (or `kv <= q`, `q > kv`, `q - kv >= 0`) between the mask function's position parameters; a side may be
    /// a name holding the difference (`lag = q_idx - kv_idx`, then `lag >= 0`; see `PythonFacts.heldDifference`).
    func isCausal(_ node: Node, _ facts: PythonFacts, query: String, key: String) -> Bool {
        guard node.type == "comparison_operator", let op = comparisonOperator(node) else { return false }
        let operands = node.namedChildren
        guard operands.count == 2 else { return false }
        let (small, big): (Node, Node)
        switch op {
        case "<", "<=": (small, big) = (operands[0], operands[1])
        case ">", ">=": (small, big) = (operands[1], operands[0])
        default: return false
        }
        var terms = facts.linearTerms(facts.heldDifference(small, before: node))
        for (k, v) in facts.linearTerms(facts.heldDifference(big, before: node)) { terms[k, default: 0] -= v }
        terms = terms.filter { $0.value != 0 && $0.key != "0" }
        return terms == [key: 1, query: -1]
    }

    /// `ids[a] == ids[b]` (or `torch.eq(ids[a], ids[b])`, `ids[a].eq(ids[b])`) where the ids come from a cumulative sum
    /// of an end-of-text test; also the complement, `ids[a] != ids[b]` (`ne`), which a mask of blocked pairs uses
    /// (`scores.masked_fill(ahead | (ids[a] != ids[b]), -inf)`): like `~same`, the test keeps attention inside documents
    /// whichever way the mask is applied.
    func isDocumentEquality(_ node: Node, _ facts: PythonFacts, _ flow: Dataflow) -> Bool {
        var operands: [Node] = []
        if node.type == "comparison_operator", ["==", "!="].contains(comparisonOperator(node) ?? "") {
            operands = node.namedChildren
        } else if node.type == "call", case let call = facts.callSite(node), ["eq", "ne", "not_equal"].contains(call.name), call.keywords.isEmpty {
            operands = (call.receiver.map { [$0] } ?? []) + call.positional
        }
        guard operands.count == 2, !operands.contains(where: { facts.value(of: $0)?.double == Self.endOfText }) else { return false }
        return operands.allSatisfy { operand in
            let nodes = flow.closure(of: [operand], followingOwnParameters: true)
            // A running count of separators: `cumsum`, or `searchsorted` of the positions among the separators'.
            return nodes.contains { $0.type == "call" && ["cumsum", "searchsorted"].contains(facts.callSite($0).name) }
                && nodes.contains { isEndOfTextTest($0, facts) }
        }
    }

    /// A separator-token test: `tokens == 50256` (the id literal or a name set to it), `tokens.eq(EOT)`, or a
    /// test against a token id the file does not spell out (`tokenizer.eot_token`); not a comparison with any
    /// other literal number.
    func isEndOfTextTest(_ node: Node, _ facts: PythonFacts) -> Bool {
        var operands: [Node] = []
        if node.type == "comparison_operator", comparisonOperator(node) == "==" {
            operands = node.namedChildren
        } else if node.type == "call" {
            let call = facts.callSite(node)
            guard call.name == "eq" else { return false }
            operands = (call.receiver.map { [$0] } ?? []) + call.positional
        }
        guard operands.count == 2 else { return false }
        if operands.contains(where: { facts.value(of: $0)?.double == Self.endOfText }) { return true }
        // A token id the file does not spell out (a name or attribute that resolves to no number), compared with
        // the token tensor (not with another indexed tensor).
        return operands.allSatisfy { operand in
            let o = facts.unwrapped(operand)
            return (o.type == "identifier" || o.type == "attribute") && facts.value(of: o) == nil
        }
    }
}
