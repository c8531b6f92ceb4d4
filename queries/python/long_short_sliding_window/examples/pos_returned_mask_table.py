# example: a helper returns a dict of two masks of one builder (the window and half of it, at least one block); the forward binds it under another name and picks a mask per layer from a pattern string; positive.
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
    layer_masks = [by_kind[kind] for kind in pattern + pattern[::-1]]
    for i in range(12):
        x = flex_attention(x, x, x, block_mask=layer_masks[i])
    return x
