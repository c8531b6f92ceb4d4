# example: near miss - the (3, d, d) parameter is registered from a table with setattr, but each slice is applied in its own product; negative.
import torch
import torch.nn.functional as F
from torch import nn

class Attention(nn.Module):
    STACKS = {"qkv_w": 3}

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        for name, n in self.STACKS.items():
            setattr(self, name, nn.Parameter(torch.empty(n, dim, dim).uniform_(-0.02, 0.02)))

    def forward(self, x):
        B, T = x.shape[:2]
        q, k, v = (F.linear(x, self.qkv_w[i]).view(B, T, self.heads, -1) for i in range(3))
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
