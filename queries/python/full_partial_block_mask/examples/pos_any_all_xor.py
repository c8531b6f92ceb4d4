# example: "any" and "all" block matrices are split with XOR and the full lists go in positionally, inside a helper that later clamps both to a window; a third spelling.
import torch
from torch.nn.attention.flex_attention import BlockMask


def dense_to_ordered(d):
    return (d.sum(-1, dtype=torch.int32)[None, None].contiguous(),
            d.argsort(-1, descending=False, stable=True).flip(-1).to(torch.int32)[None, None].contiguous())


def block_masks(input_seq, window_blocks, block=128):
    docs = (input_seq == 50256).cumsum(0)
    idx = torch.arange(len(input_seq) // block, dtype=torch.int32, device="cuda")
    d_lo, d_hi = docs.view(-1, block)[:, 0], docs.view(-1, block)[:, -1]
    any_bm = (idx[:, None] >= idx) & (d_lo[:, None] <= d_hi) & (d_hi[:, None] >= d_lo)
    all_bm = (idx[:, None] > idx) & (d_lo[:, None] == d_hi) & (d_hi[:, None] == d_lo)
    part_n, part_i = dense_to_ordered(any_bm ^ all_bm)
    full_n, full_i = dense_to_ordered(all_bm)

    def doc_causal(b, h, q, kv):
        return (q >= kv) & (docs[q] == docs[kv])

    return BlockMask.from_kv_blocks(
        torch.clamp_max(part_n, torch.clamp_min(window_blocks - full_n, 1)), part_i,
        torch.clamp_max(full_n, window_blocks - 1), full_i,
        BLOCK_SIZE=block, mask_mod=doc_causal,
    )
