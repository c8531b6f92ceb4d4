# example: the argument is called sliding_window_num_blocks, but it is multiplied back to tokens inside a create_block_mask mask_mod; the cut is per token, NOT block-granular (near miss).
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def forward_attention(inputs, q, k, v, sliding_window_num_blocks):
    docs = (inputs == 50256).cumsum(0)

    def mask_mod(b, h, q_idx, kv_idx):
        near = q_idx - kv_idx < sliding_window_num_blocks * 128
        return (q_idx >= kv_idx) & (docs[q_idx] == docs[kv_idx]) & near

    n = inputs.numel()
    bm = create_block_mask(mask_mod, None, None, n, n, device="cuda")
    return flex_attention(q, k, v, block_mask=bm)
