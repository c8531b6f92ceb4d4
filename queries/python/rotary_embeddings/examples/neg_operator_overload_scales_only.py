# example: near miss - a Gain class overloads `*` to multiply q and k by the cosines of position angles only (the sines are kept but never used, nothing rotates); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Gain:
    def __init__(self, cos, sin):
        self.cos = cos
        self.sin = sin

    def __mul__(self, x):
        return x * self.cos


class Attn(nn.Module):
    def __init__(self, dim=768, heads=12):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        inv = 1.0 / (10000 ** (torch.arange(0, dim // heads, 2).float() / (dim // heads)))
        f = torch.outer(torch.arange(1024).float(), inv)
        self.register_buffer("c", torch.cat([f.cos(), f.cos()], -1)[None, :, None, :])
        self.register_buffer("s", torch.cat([f.sin(), f.sin()], -1)[None, :, None, :])

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        gain = Gain(self.c[:, :T], self.s[:, :T])
        q = gain * q
        k = gain * k
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))
