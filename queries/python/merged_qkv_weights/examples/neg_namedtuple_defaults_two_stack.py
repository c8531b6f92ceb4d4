# example: the same namedtuple-defaults stack, but its default count is 2 (two projections stacked, not q, k and v);
# the stacked weight is no merged QKV weight; negative.
from collections import namedtuple
import torch
from torch import nn
import torch.nn.functional as F

ProjSpec = namedtuple("ProjSpec", ["count", "gain"], defaults=(2, 0.5))
PROJ = ProjSpec()


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        bound = (3 ** 0.5) * PROJ.gain * dim ** -0.5
        self.w = nn.Parameter(torch.empty(PROJ.count, dim, dim).uniform_(-bound, bound))

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = F.linear(x, self.w.flatten(end_dim=1)).view(b, t, 3 * self.heads, -1).chunk(3, dim=-2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(b, t, -1)
