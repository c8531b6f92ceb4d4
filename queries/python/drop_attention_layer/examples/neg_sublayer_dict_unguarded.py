# example (negative): attention is built under a per-layer local flag, but the block hands it to the pure block function unconditionally (None included), and the function always calls it: no layer actually runs without attention (this one would fail); the flag is not a dropped layer as far as the code shows.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, C // self.h).permute(2, 0, 3, 1, 4)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)


def residual_step(parts, x):
    x = x + parts["attention"](x)
    return x + parts["ffn"](x)


class Layer(nn.Module):
    def __init__(self, d, h, depth_index, skip=frozenset({7})):
        super().__init__()
        attends = depth_index not in skip
        self.attention = SelfAttention(d, h) if attends else None
        self.ffn = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        return residual_step({"attention": self.attention, "ffn": self.ffn}, x)


layers = nn.ModuleList([Layer(768, 6, n) for n in range(12)])
