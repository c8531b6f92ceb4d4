import Parsing
import TreeSitterKit

/// `full_partial_block_mask`: the hand-built BlockMask lists fully visible blocks apart from partial ones, so the
/// kernel skips the mask function on full blocks.
///
/// Requires a `BlockMask.from_kv_blocks(...)` call given full-block lists (`full_kv_num_blocks` and
/// `full_kv_indices`, by keyword or as the third and fourth arguments, also spread: `*lists(full)`, `*self._lists(full)`, or one helper
/// flattening the pairs of several masks, `*lists(partial, full)`; see `PythonFacts.spreadArgument`), not `None`,
/// different from the partial lists and computed in the file (calls, comparisons or arithmetic in what they are built
/// from). Rejects partial lists only, full arguments set to `None`, full lists computed but not passed, and
/// `create_block_mask`. The lists may be unpacked from one generator over the masks (`(p_n, p_i), (f_n, f_i) =
/// (order(m) for m in (partial, full))`, see `Dataflow`). Examples: `queries/python/full_partial_block_mask/examples/`.
struct FullPartialBlockMask: Detector {
    let id = "full_partial_block_mask"

    func detect(_ facts: PythonFacts) -> [Evidence] {
        let flow = facts.dataflow
        return facts.fromKVBlocksCalls.compactMap { call in
            guard let counts = facts.argument(of: call, "full_kv_num_blocks", position: 2),
                  let indices = facts.argument(of: call, "full_kv_indices", position: 3),
                  facts.unwrapped(counts).type != "none", facts.unwrapped(indices).type != "none" else { return nil }
            let partial = [facts.argument(of: call, "kv_num_blocks", position: 0), facts.argument(of: call, "kv_indices", position: 1)]
                .compactMap { $0 }.map(facts.compact)
            guard !partial.contains(facts.compact(counts)), !partial.contains(facts.compact(indices)),
                  flow.closure(of: [counts, indices]).contains(where: { ["call", "comparison_operator", "binary_operator"].contains($0.type) })
            else { return nil }
            return facts.evidence(call.node, "BlockMask with separate full and partial block lists")
        }
    }
}
