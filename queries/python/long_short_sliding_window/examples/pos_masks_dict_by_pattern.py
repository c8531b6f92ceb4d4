# example: two block masks of one builder (window w and w // 2) held in a dict by letter and picked per layer from a pattern string; positive.
import torch
from torch.nn.attention.flex_attention import create_block_mask, flex_attention

def forward(x, w):
    def build(num_blocks):
        def mask_mod(b, h, q, k):
            return (q >= k) & (q - k < num_blocks * 128)
        return create_block_mask(mask_mod, None, None, 1024, 1024)
    masks = dict(L=build(w), S=build(torch.clamp_min(w // 2, 1)))
    pattern = "LSSSLS"
    layer_masks = [masks[c] for c in pattern + pattern[::-1]]
    for i in range(12):
        x = flex_attention(x, x, x, block_mask=layer_masks[i])
    return x
