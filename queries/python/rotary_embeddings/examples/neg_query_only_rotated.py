# example: near miss - the rotation helper exists and is applied, but only to the queries; keys enter attention unrotated; negative (both q and k must be rotated).
import torch
import torch.nn as nn
import torch.nn.functional as F


def rope(x, cos, sin):
    d = x.shape[-1] // 2
    x1, x2 = x[..., :d], x[..., d:]
    return torch.cat([x1 * cos + x2 * sin, x1 * (-sin) + x2 * cos], dim=-1)


class Attn(nn.Module):
    def __init__(self, dim=768, heads=12):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        inv = 1.0 / (10000 ** (torch.arange(0, dim // heads, 2).float() / (dim // heads)))
        f = torch.outer(torch.arange(1024).float(), inv)
        self.register_buffer("c", f.cos()[None, :, None, :])
        self.register_buffer("s", f.sin()[None, :, None, :])

    def forward(self, x):
        B, T, C = x.shape
        q = self.q(x).view(B, T, self.heads, -1)
        k = self.k(x).view(B, T, self.heads, -1)
        v = self.v(x).view(B, T, self.heads, -1)
        q = rope(q, self.c[:, :T], self.s[:, :T])
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))
