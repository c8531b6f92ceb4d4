import Parsing
import TreeSitterKit

/// `block_sliding_window`: the sliding window is counted in whole blocks and enforced only when the BlockMask is
/// built; the per-position mask function has no window term.
///
/// Requires a `BlockMask.from_kv_blocks(...)` call (block lists passed or spread, also from one helper flattening the
/// pairs of several masks, `*lists(partial, whole)`; see `PythonFacts.spreadArgument`) whose block lists are limited to a window (a bound on the
/// difference of block indices in the block matrix, or block counts clamped to a maximum; see
/// `SlidingWindowAttention.blockWindow`) while the `mask_mod` it is given (resolved to its `def` or lambda) has no
/// query-key distance bound. Rejects a window in the `mask_mod` (even alongside a block-level one), a window in a
/// `create_block_mask` mask function however its variable is named, and no window at all. Examples:
/// `queries/python/block_sliding_window/examples/`.
struct BlockSlidingWindow: Detector {
    let id = "block_sliding_window"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        return facts.fromKVBlocksCalls.compactMap { call in
            guard let bound = SlidingWindowAttention.blockWindow(call, facts, flow) else { return nil }
            if let argument = call.argument("mask_mod", position: 5), let mask = facts.maskMod(argument, flow),
               facts.maskModBoundsDistance(mask, flow) != nil {
                return nil
            }
            return facts.evidence(bound, "window applied to whole blocks only")
        }
    }
}
