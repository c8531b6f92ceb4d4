# example: the two block masks (window w and w // 2) are first bound to names and then put in dict(long=..., short=...), picked per layer from a pattern tuple; positive.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

def forward(x, w):
    def build(num_blocks):
        def mask_mod(b, h, q, k):
            return (q >= k) & (q - k < num_blocks * 128)
        return create_block_mask(mask_mod, None, None, 1024, 1024)
    long_mask = build(w)
    short_mask = build(torch.clamp_min(w // 2, 1))
    masks = dict(long=long_mask, short=short_mask)
    pattern = ("long", "short", "short", "short", "long", "short")
    layer_masks = [masks[kind] for kind in pattern + tuple(reversed(pattern))]
    for i in range(12):
        x = flex_attention(x, x, x, block_mask=layer_masks[i])
    return x
