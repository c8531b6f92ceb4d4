import Parsing
import TreeSitterKit

/// `manual_block_mask`: the FlexAttention BlockMask is assembled by hand from block-level tensors instead of
/// `create_block_mask` evaluating the mask function at every position.
///
/// Requires a `BlockMask.from_kv_blocks(...)` call (any alias of `BlockMask` or of the flex_attention module)
/// whose block counts and indices are computed in the file (a reduction, sort or arithmetic over block-level
/// tensors, followed through locals and helpers), in a file where FlexAttention is called with a block mask.
/// Rejects `create_block_mask`, even with a block size and per-block document bounds computed beside it, and
/// `from_kv_blocks` named only in comments or strings. Examples: `queries/python/manual_block_mask/examples/`.
struct ManualBlockMask: Detector {
    let id = "manual_block_mask"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        guard facts.flexAttentionCalls.contains(where: { facts.blockMaskArgument($0) != nil }) else { return [] }
        let flow = facts.dataflow
        return facts.fromKVBlocksCalls.compactMap { call in
            guard let counts = facts.argument(of: call, "kv_num_blocks", position: 0), let indices = facts.argument(of: call, "kv_indices", position: 1),
                  computed(counts, flow), computed(indices, flow) else { return nil }
            return facts.evidence(call.node, "BlockMask built from hand-computed kv blocks")
        }
    }

    /// Whether an expression is computed in the file (a call or arithmetic somewhere in what it is built from).
    func computed(_ node: Node, _ flow: Dataflow) -> Bool {
        flow.closure(of: [node]).contains { ["call", "binary_operator", "comparison_operator", "boolean_operator"].contains($0.type) }
    }
}
