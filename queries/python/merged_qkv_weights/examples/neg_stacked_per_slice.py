# example: a (3, d, d) parameter stores the three weights but q, k and v are computed with three separate F.linear calls on w[0], w[1], w[2]; ambiguous, so NOT merged (near miss).
import torch
from torch import nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, d: int = 768, heads: int = 6):
        super().__init__()
        self.heads = heads
        self.w = nn.Parameter(torch.empty(3, d, d).uniform_(-0.03, 0.03))
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q = F.linear(x, self.w[0]).view(b, t, self.heads, -1).transpose(1, 2)
        k = F.linear(x, self.w[1]).view(b, t, self.heads, -1).transpose(1, 2)
        v = F.linear(x, self.w[2]).view(b, t, self.heads, -1).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, d))
