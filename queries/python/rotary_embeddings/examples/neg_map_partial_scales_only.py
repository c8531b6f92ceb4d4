# example: a plain function bound with functools.partial inside map() over (q, k), but it only scales by the cosine table (no rotation of pairs); NOT present.
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F


def turn(x, cos, sin):
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat((a * cos, b * cos), dim=-1)


class Mixer(nn.Module):
    def __init__(self, width=512, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        dim = width // heads
        inv = 1.0 / (10000 ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("inv", inv, persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
        angles = torch.outer(torch.arange(T, device=x.device).float(), self.inv)
        q, k = map(partial(turn, cos=angles.cos(), sin=angles.sin()), (q, k))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))
