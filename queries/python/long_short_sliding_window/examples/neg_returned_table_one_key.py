# example: the helper returns a dict of a long and a half-window mask, but every layer reads the long one by a constant key; the short mask is never used, so one window for all layers; negative (near miss).
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention


def block_masks(seq_len, window_blocks):
    def windowed(num_blocks):
        def mask_mod(b, h, q, k):
            return (q >= k) & (q - k < num_blocks * 128)
        return create_block_mask(mask_mod, None, None, seq_len, seq_len)
    return {"L": windowed(window_blocks), "S": windowed(torch.clamp_min(window_blocks // 2, 1))}


def forward(x, window_blocks, pattern="LSSSLS"):
    by_kind = block_masks(x.size(-2), window_blocks)
    layer_masks = [by_kind["L"] for _ in pattern + pattern[::-1]]
    for i in range(12):
        x = flex_attention(x, x, x, block_mask=layer_masks[i])
    return x
