# example: v and the value embedding are stacked and reduced with a learnable 2-vector (mix * stack).sum(0); the same two free weights written as a weighted sum.
import torch
from torch import nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.w_qkv = nn.Parameter(torch.randn(3 * dim, dim) * dim ** -0.5)
        self.w_out = nn.Parameter(torch.zeros(dim, dim))
        self.mix = nn.Parameter(torch.full((2,), 0.5))

    def forward(self, x, ve):
        b, t, d = x.shape
        q, k, v = F.linear(x, self.w_qkv).split(d, dim=-1)
        pair = torch.stack([v, ve.view_as(v)])
        v = (self.mix.view(2, 1, 1, 1) * pair).sum(0)
        q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return F.linear(y.transpose(1, 2).reshape(b, t, d), self.w_out)
