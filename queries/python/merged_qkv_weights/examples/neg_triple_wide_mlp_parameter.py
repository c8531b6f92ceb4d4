# example: a raw (d, 3*d) parameter is the up-projection of an MLP with expansion ratio 3 (its product goes through a GELU, never split), while attention keeps three separate projections; not fused qkv, negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=384, heads=6):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.w_up = nn.Parameter(torch.randn(d, 3 * d) * d ** -0.5)
        self.w_down = nn.Parameter(torch.zeros(3 * d, d))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = (f(x).view(b, t, self.heads, -1).transpose(1, 2) for f in (self.q, self.k, self.v))
        x = x + self.o(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c))
        hidden = F.gelu(x @ self.w_up)
        return x + hidden @ self.w_down
