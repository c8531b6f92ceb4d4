# example: long_bm and short_bm (half window) are both built, but the per-layer list holds only long_bm, so every layer gets the same window; NOT present (near miss).
import torch
from torch.nn.attention.flex_attention import BlockMask


def make(kv_num, kv_idx, doc_causal, sw):
    return BlockMask.from_kv_blocks(torch.clamp_max(kv_num, sw), kv_idx, BLOCK_SIZE=128, mask_mod=doc_causal)


def forward(blocks, x, x0, ve, kv_num, kv_idx, doc_causal, sliding_window_num_blocks):
    long_bm = make(kv_num, kv_idx, doc_causal, sliding_window_num_blocks)
    short_bm = make(kv_num, kv_idx, doc_causal, sliding_window_num_blocks // 2)  # TODO: try on some layers
    block_masks = [long_bm] * len(blocks)
    for i, block in enumerate(blocks):
        x = block(x, ve[i], x0, block_masks[i])
    return x, short_bm.shape
