# example: lambdas has two entries initialised to 0.5 but the mix uses lambdas[0] and 1 - lambdas[0], leaving the second unused; still a convex mix, NOT present (near miss).
import torch
from torch import nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        v = self.lambdas[0] * v + (1 - self.lambdas[0]) * ve
        q, k, v = (z.view(B, T, self.num_heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))
