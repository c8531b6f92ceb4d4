# example: near miss - the same einsum-helper projections, but the MLP zeroes its input projection (`c_fc`), not the one that writes to the residual stream; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange


def linear(x, weight):
    return torch.einsum("b t i, o i -> b t o", x, weight)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        nn.init.zeros_(self.c_proj.weight)

    def forward(self, x):
        q, k, v = rearrange(linear(x, self.c_attn.weight), "b t (three h c) -> three b h t c", three=3, h=self.heads)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return linear(rearrange(y, "b h t c -> b t (h c)"), self.c_proj.weight)


class MLP(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)
        nn.init.zeros_(self.c_fc.weight)

    def forward(self, x):
        return linear(F.relu(linear(x, self.c_fc.weight)).square(), self.c_proj.weight)


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = Attention(dim, heads)
        self.mlp = MLP(dim)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))
