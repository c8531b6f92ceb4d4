# example: a helper returns the long and the short block masks as one pair, the model holds the pair under one name and hands it to its layer stack, whose forward unpacks it and picks a mask per layer from a pattern string of 'L' and 'S'; positive.
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import BlockMask, create_block_mask, flex_attention


def window_masks(seq_len, window_blocks):
    def make(blocks):
        def keep(b, h, q, kv):
            return (q >= kv) & (q - kv < blocks * 128)
        return create_block_mask(keep, None, None, seq_len, seq_len)
    return make(window_blocks), make(torch.clamp_min(window_blocks // 2, 1))


class Attn(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.qkv = nn.Linear(width, 3 * width, bias=False)

    def forward(self, x, mask):
        b, t, c = x.shape
        q, k, v = (z.view(b, t, 6, -1).transpose(1, 2) for z in self.qkv(x).split(c, dim=-1))
        return flex_attention(q, k, v, block_mask=mask).transpose(1, 2).reshape(b, t, c)


class Layers(nn.Module):
    def __init__(self, width, pattern="LSSLSSLSSLSS"):
        super().__init__()
        self.pattern = pattern
        self.attn = nn.ModuleList([Attn(width) for _ in pattern])

    def forward(self, x, masks):
        wide, narrow = masks
        for i, attn in enumerate(self.attn):
            mask = wide if self.pattern[i] == "L" else narrow
            x = x + attn(x, mask)
        return x


class Net(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.embed = nn.Embedding(50304, width)
        self.layers = Layers(width)

    def forward(self, idx, window_blocks):
        masks = window_masks(idx.size(-1), window_blocks)
        return self.layers(self.embed(idx)[None], masks)
