/// `value_embeddings`: token-indexed embedding tables feed each attention layer's values.
///
/// Requires an attention kernel call (SDPA, FlexAttention, flash-attn), or hand-written attention's product of the
/// softmax probabilities with the values (see `PythonFacts.manualAttentionValueInputs`), whose value argument carries the result
/// of a token-table lookup (`nn.Embedding` modules called on the ids, a wide table chunked per layer, or
/// `F.embedding(ids, weight)`), followed through `TokenTableFlow`: locals, chunking and indexing, iterators (`next(iter(chunks))`), queues (`deque(chunks)` handed out by `popleft()`), the parameters
/// of the attention function or module matched to its callers, the results of forward hooks on a called module (a
/// hook on `c_v` blending in a piece that a model pre-hook looked up into a field), entries of a dictionary of heads
/// read by key (`h["v"] = torch.lerp(h["v"], ve, w)`, then `q, k, v = (h[r] for r in ("q", "k", "v"))`), and the
/// arithmetic that mixes it into `v`. A
/// projection of the embedded stream (`c_v(x)`, also a matrix product `x @ w.T` in a linear class of the file) does not carry a lookup, so the value residual (layer 0's `v`)
/// and an extra embedding added to the residual stream are rejected, as is a table that never reaches `v`.
/// Examples: `queries/python/value_embeddings/examples/`.
struct ValueEmbeddings: Detector {
    let id = "value_embeddings"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let tables = facts.tokenTables
        let kernels = facts.attentionValueInputs().compactMap { call, value in
            tables.carries(value) ? facts.evidence(call.node, "attention values mixed with token value embeddings") : nil
        }
        return kernels + facts.manualAttentionValueInputs().compactMap { scores, value in
            tables.carries(value) ? facts.evidence(value, "hand-written attention's values mixed with token value embeddings") : nil
        }
    }
}
