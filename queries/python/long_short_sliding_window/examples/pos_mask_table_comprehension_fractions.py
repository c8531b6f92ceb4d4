# example: one mask builder called in a dict comprehension over per-kind block counts computed from a table of window fractions {"L": 1.0, "S": 0.5}; layers read the table by their own kind from a layout string; positive.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

FRACTIONS = {"L": 1.0, "S": 0.5}
LAYOUT = "LSSSLSSLSSSL"

def window_blocks(window_tokens):
    return tuple(max(1, int(window_tokens // 128 * f)) for f in FRACTIONS.values())

def block_masks(seq_len, blocks):
    def build(num_blocks):
        def mask_mod(b, h, q, k):
            return (q >= k) & (q - k < num_blocks * 128)
        return create_block_mask(mask_mod, None, None, seq_len, seq_len)
    return {kind: build(n) for kind, n in zip(FRACTIONS, blocks)}

def forward(x, window_tokens):
    masks = block_masks(x.size(-2), window_blocks(window_tokens))
    for kind in LAYOUT:
        x = flex_attention(x, x, x, block_mask=masks[kind])
    return x
