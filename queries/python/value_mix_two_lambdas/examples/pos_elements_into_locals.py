# example: the two value-mix weights are elements of one parameter unpacked pairwise into locals (`a, b = self.ab[0], self.ab[1]`), then v = a * v + b * ve; positive.
import torch
from torch import nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.ab = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        b, t, d = x.shape
        q = self.q(x).view(b, t, self.heads, -1)
        k = self.k(x).view(b, t, self.heads, -1)
        v = self.v(x).view(b, t, self.heads, -1)
        a, b_ = self.ab[0], self.ab[1]
        v = a * v + b_ * ve.view_as(v)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(b, t, d)
