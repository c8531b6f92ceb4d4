# example: three separate q/k/v parameters are concatenated into a "qkv" weight on every forward before one F.linear; the parameters stay separate, so NOT merged weights (near miss).
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.q_w = nn.Parameter(torch.randn(dim, dim) * dim ** -0.5)
        self.k_w = nn.Parameter(torch.randn(dim, dim) * dim ** -0.5)
        self.v_w = nn.Parameter(torch.randn(dim, dim) * dim ** -0.5)
        self.proj = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        qkv_weight = torch.cat([self.q_w, self.k_w, self.v_w], dim=0)
        q, k, v = F.linear(x, qkv_weight).split(C, dim=-1)
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))
