# example: each layer mixes the first layer's values in as (1 - a) * v + a * v_first, the learned weight read through a local a = self.mix first; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d=256, h=4):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, v_first=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        if v_first is None:
            v_first = v
        a = self.mix
        v = (1 - a) * v + a * v_first.view_as(v)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C)), v_first


class Model(nn.Module):
    def __init__(self, n=4):
        super().__init__()
        self.layers = nn.ModuleList(Attention() for _ in range(n))

    def forward(self, x):
        v_first = None
        for layer in self.layers:
            y, v_first = layer(x, v_first)
            x = x + y
        return x
