# example: a Turn class overloads `*` (`__mul__`, and `__rmul__` bound to it) to rotate the two halves of a head vector by cos/sin of position angles; attention writes `turn * q` and `k * turn`; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Turn:
    def __init__(self, cos, sin):
        self.cos = cos
        self.sin = sin

    def __mul__(self, x):
        d = x.shape[-1] // 2
        a, b = x[..., :d], x[..., d:]
        return torch.cat([a * self.cos + b * self.sin, a * (-self.sin) + b * self.cos], dim=-1)

    __rmul__ = __mul__


class Attn(nn.Module):
    def __init__(self, dim=768, heads=12):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        inv = 1.0 / (10000 ** (torch.arange(0, dim // heads, 2).float() / (dim // heads)))
        f = torch.outer(torch.arange(1024).float(), inv)
        self.register_buffer("c", f.cos()[None, :, None, :])
        self.register_buffer("s", f.sin()[None, :, None, :])

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        turn = Turn(self.c[:, :T], self.s[:, :T])
        q = turn * q
        k = k * turn
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))
