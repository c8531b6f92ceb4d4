/// `flex_attention`: attention runs through FlexAttention with a BlockMask instead of dense SDPA.
///
/// Requires a call of `torch.nn.attention.flex_attention.flex_attention` (imported under any name, through a
/// module alias, rebound through `torch.compile(...)`, or an entry of a table of kernels called by its key,
/// `OPS["attend"](q, k, v, block_mask=m)`; see `PythonFacts.namesFunction`) that receives a block mask (`block_mask=` or the fifth
/// positional argument, not `None`; or bound by `functools.partial` into the kernel a function is handed), in a file that builds a BlockMask
/// (`create_block_mask` or `BlockMask.from_kv_blocks`). Rejects an import or compile that is never called, a
/// call with only a `score_mod` (dense compute), and the words in comments or strings.
/// Examples: `queries/python/flex_attention/examples/`.
struct FlexAttention: Detector {
    let id = "flex_attention"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard facts.buildsBlockMask else { return [] }
        return facts.flexAttentionCalls.compactMap { call in
            guard facts.blockMaskArgument(call) != nil else { return nil }
            return facts.evidence(call.node, "flex_attention called with a BlockMask")
        }
    }
}
