# example: one (3, d, d) parameter for queries, keys and values, flattened into a local and applied in a single F.linear whose output is split in three; positive.
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
        packed = self.w_qkv.flatten(end_dim=1).type_as(x)
        q, k, v = F.linear(x, packed).view(b, t, 3 * self.n_heads, -1).chunk(3, dim=-2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, self.width))
