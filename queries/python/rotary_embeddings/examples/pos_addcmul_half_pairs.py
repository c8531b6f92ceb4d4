# example: RoPE whose rotation of the two halves is written with fused multiply-adds, torch.addcmul(x1 * cos, x2, sin) and torch.addcmul(x2 * cos, x1, -sin), and whose frequencies come from torch.pow(base, -exponents); applied to q and k; positive.

import torch
import torch.nn as nn
import torch.nn.functional as F


class Angles(nn.Module):
    def __init__(self, head_dim, base=10000.0):
        super().__init__()
        exponents = torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim
        self.register_buffer("inv_freq", torch.pow(base, -exponents), persistent=False)

    def forward(self, t):
        positions = torch.arange(t, dtype=torch.float32)
        angles = torch.einsum("t,f->tf", positions, self.inv_freq)
        return angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]


def turn(x, cos, sin):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((torch.addcmul(x1 * cos, x2, sin), torch.addcmul(x2 * cos, x1, -sin)), dim=-1)


class Attention(nn.Module):
    def __init__(self, width=256, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.angles = Angles(width // heads)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).unbind(2)
        cos, sin = self.angles(t)
        q, k = turn(q, cos, sin), turn(k, cos, sin)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(b, t, c)
