# example: a helper rescales each head to unit RMS through the L2 norm, t * (sqrt(d) / ||t||) with torch.linalg.vector_norm over the head dimension, applied to q and k after the head split; positive (L2 spelling of the RMS norm).
import torch
import torch.nn as nn
import torch.nn.functional as F


def unit_rms(t, eps=1e-6):
    return t * (t.size(-1) ** 0.5 / torch.linalg.vector_norm(t.float(), dim=-1, keepdim=True).clamp_min(eps)).type_as(t)


class Attention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.q(x).view(B, T, self.heads, C // self.heads)
        k = self.k(x).view(B, T, self.heads, C // self.heads)
        v = self.v(x).view(B, T, self.heads, C // self.heads)
        q, k = unit_rms(q), unit_rms(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))
