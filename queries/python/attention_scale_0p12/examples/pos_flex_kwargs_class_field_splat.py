# example: flex_attention's keyword arguments come from a class field FLEX_KWARGS = dict(scale=0.12) spread into the call with **self.FLEX_KWARGS; positive.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention


class SelfAttention(nn.Module):
    FLEX_KWARGS = dict(scale=0.12)

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x, block_mask):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=block_mask, **self.FLEX_KWARGS)
        return self.out(y.transpose(1, 2).reshape(b, t, c))
