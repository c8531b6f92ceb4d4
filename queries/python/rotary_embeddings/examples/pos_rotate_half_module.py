# example: GPT-NeoX style RoPE - a module precomputes cos/sin from einsum(positions, inv_freq), and a helper applies x*cos + rotate_half(x)*sin to queries and keys inside attention; positive (rotate_half spelling, other names).
import torch
import torch.nn as nn
import torch.nn.functional as F


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_pos(x, cos, sin):
    return x * cos + rotate_half(x) * sin


class PositionTable(nn.Module):
    def __init__(self, dim, max_len=4096, theta=10000.0):
        super().__init__()
        inv = theta ** (-torch.arange(0, dim, 2).float() / dim)
        ang = torch.einsum("i,j->ij", torch.arange(max_len).float(), inv)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos", ang.cos()[None, None], persistent=False)
        self.register_buffer("sin", ang.sin()[None, None], persistent=False)

    def forward(self, n):
        return self.cos[:, :, :n], self.sin[:, :, :n]


class Attention(nn.Module):
    def __init__(self, dim=512, heads=8):
        super().__init__()
        self.heads = heads
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)
        self.table = PositionTable(dim // heads)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.wqkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        cos, sin = self.table(T)
        q = apply_pos(q, cos, sin)
        k = apply_pos(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))
