# example: the stacked projection is registered from a class table with setattr (`STACKS = {"qkv_w": 3}`), then applied whole in one F.linear and chunked; positive.
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
        q, k, v = F.linear(x, self.qkv_w.flatten(end_dim=1)).view(B, T, 3 * self.heads, -1).chunk(3, dim=-2)
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
