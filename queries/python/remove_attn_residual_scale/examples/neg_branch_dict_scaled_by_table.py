# example: the same branch dictionary walked by name, but every branch output is multiplied by a fixed 1/sqrt(2 * n_layer) from a per-branch table of constants; negative.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class Layer(nn.Module):
    ORDER = ("mix", "ffn")
    SCALE = {"mix": 1 / math.sqrt(2 * 12), "ffn": 1 / math.sqrt(2 * 12)}

    def __init__(self, d=512):
        super().__init__()
        self.parts = nn.ModuleDict({"mix": SelfAttention(d), "ffn": nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))})

    def forward(self, x):
        for key in self.ORDER:
            x = x + self.SCALE[key] * self.parts[key](F.rms_norm(x, (x.size(-1),)))
        return x


y = Layer()(torch.randn(2, 8, 512))
