# example: near miss - the same helper blends toward the first layer's values with a fixed 0.5 (no learned weight); negative.
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

    def _blend(self, v, v_first):
        anchor = v if v_first is None else v_first.view_as(v)
        return torch.lerp(v, anchor, 0.5), anchor

    def forward(self, x, v_first=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        v, anchor = self._blend(v, v_first)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C)), anchor


class Model(nn.Module):
    def __init__(self, n_layer=6):
        super().__init__()
        self.layers = nn.ModuleList(Attention() for _ in range(n_layer))

    def forward(self, x):
        v_first = None
        for layer in self.layers:
            out, v_first = layer(x, v_first)
            x = x + out
        return x
