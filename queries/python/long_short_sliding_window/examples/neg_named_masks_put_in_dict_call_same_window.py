# example: two masks bound to names and put in dict(long=..., short=...), but the short one is built with the same window as the long one; NOT present.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

def forward(x, w):
    def build(num_blocks):
        def mask_mod(b, h, q, k):
            return (q >= k) & (q - k < num_blocks * 128)
        return create_block_mask(mask_mod, None, None, 1024, 1024)
    long_mask = build(w)
    short_mask = build(w)
    masks = dict(long=long_mask, short=short_mask)
    pattern = ("long", "short", "short", "short", "long", "short")
    layer_masks = [masks[kind] for kind in pattern + tuple(reversed(pattern))]
    for i in range(12):
        x = flex_attention(x, x, x, block_mask=layer_masks[i])
    return x
