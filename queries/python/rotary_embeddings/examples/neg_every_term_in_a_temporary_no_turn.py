# example: C-style temporaries for every product, but the second half keeps its own term only (`new_hi = hi_cos`), so the pairs are scaled, not rotated; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


def rotate(x, cos_t, sin_t):
    mid = x.shape[-1] // 2
    lo = x[..., :mid]
    hi = x[..., mid:]
    lo_cos = lo * cos_t
    hi_sin = hi * sin_t
    new_lo = lo_cos + hi_sin
    hi_cos = hi * cos_t
    lo_sin = lo * sin_t
    new_hi = hi_cos
    return torch.cat([new_lo, new_hi], -1)


class Attention(nn.Module):
    def __init__(self, width=512, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        dim = width // heads
        self.register_buffer("inv", 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim)), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q = q.view(B, T, self.heads, -1)
        k = k.view(B, T, self.heads, -1)
        v = v.view(B, T, self.heads, -1)
        angles = torch.outer(torch.arange(T, device=x.device).float(), self.inv)[None, :, None, :]
        cos_t = angles.cos()
        sin_t = angles.sin()
        q = rotate(q, cos_t, sin_t)
        k = rotate(k, cos_t, sin_t)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))
