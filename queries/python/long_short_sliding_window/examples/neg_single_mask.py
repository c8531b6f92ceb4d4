# example: one sliding-window BlockMask is built and every layer uses it; all layers share the same span, so NOT long-short.
import torch
from torch.nn.attention.flex_attention import BlockMask


def forward(blocks, skip_weights, x, x0, ve, kv_num, kv_idx, doc_causal, sliding_window_num_blocks):
    block_mask = BlockMask.from_kv_blocks(
        torch.clamp_max(kv_num, sliding_window_num_blocks), kv_idx, BLOCK_SIZE=128, mask_mod=doc_causal)
    n_enc = len(blocks) // 2
    skips = []
    for i in range(n_enc):
        x = blocks[i](x, ve[i], x0, block_mask)
        skips.append(x)
    for i in range(len(blocks) - n_enc):
        x = x + skip_weights[i] * skips.pop()
        x = blocks[n_enc + i](x, ve[n_enc + i], x0, block_mask)
    return x
