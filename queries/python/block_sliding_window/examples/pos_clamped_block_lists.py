# example: the window is applied by clamping the per-row block counts of descending-ordered kv lists to sw_num_blocks; only whole blocks are cut and mask_mod has no window term; same idea, other mechanism.
import torch
from torch.nn.attention.flex_attention import BlockMask


def window_mask_from_lists(partial_counts, partial_idx, full_counts, full_idx, sw_num_blocks, doc_causal, block=128):
    # kv lists are sorted newest block first, so keeping a prefix keeps the nearest blocks
    return BlockMask.from_kv_blocks(
        torch.clamp_max(partial_counts, torch.clamp_min(sw_num_blocks - full_counts, 1)),
        partial_idx,
        torch.clamp_max(full_counts, sw_num_blocks - 1),
        full_idx,
        BLOCK_SIZE=block,
        mask_mod=doc_causal,
    )


def build(tokens, sw_num_blocks, ordered, block=128):
    docs = (tokens == 50256).cumsum(0)
    doc_causal = lambda b, h, q, kv: (q >= kv) & (docs[q] == docs[kv])
    lo = docs.view(-1, block)[:, 0]
    hi = docs.view(-1, block)[:, -1]
    rows = torch.arange(len(lo), device=tokens.device)
    any_bm = (rows[:, None] >= rows) & (lo[:, None] <= hi) & (hi[:, None] >= lo)
    all_bm = (rows[:, None] > rows) & (lo[:, None] == hi) & (hi[:, None] == lo)
    pc, pi = ordered(any_bm & ~all_bm)
    fc, fi = ordered(all_bm)
    return window_mask_from_lists(pc, pi, fc, fi, sw_num_blocks, doc_causal, block)
