# example: the (3, d, d) parameter is taken into a local, but each projection multiplies its own slice of it, three products instead of one; negative.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, width, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.width = width
        limit = math.sqrt(3) * 0.5 / math.sqrt(width)
        self.w_qkv = nn.Parameter(torch.empty(3, width, width).uniform_(-limit, limit))
        self.proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, _ = x.shape
        packed = self.w_qkv.type_as(x)
        q = F.linear(x, packed[0]).view(b, t, self.n_heads, -1)
        k = F.linear(x, packed[1]).view(b, t, self.n_heads, -1)
        v = F.linear(x, packed[2]).view(b, t, self.n_heads, -1)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, self.width))
