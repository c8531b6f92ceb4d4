# example: near miss - keyword arguments are spread into flex_attention from a field, but its "scale" is head_dim ** -0.5; the 0.12 of the class's other table is an init std; negative.
import torch
from torch import nn
from torch.nn.attention.flex_attention import flex_attention


class SelfAttention(nn.Module):
    OPTIONS = dict(init_std=0.12)

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        nn.init.normal_(self.out.weight, std=self.OPTIONS["init_std"])
        self.flex_kwargs = dict(scale=(width // heads) ** -0.5)

    def forward(self, x, block_mask):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = flex_attention(q, k, v, block_mask=block_mask, **self.flex_kwargs)
        return self.out(y.transpose(1, 2).reshape(b, t, c))
