# example: the original ResFormer constant mix: the first attention layer stores its values (v_first is None), later layers use v = 0.5 * (v + v_first) with a fixed 0.5; the catalogue's idea learns the blend (a trainable lambda per layer), so this is a negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d=512, h=4):
        super().__init__()
        self.h = h
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.o = nn.Linear(d, d, bias=False)

    def forward(self, x, v_first=None):
        B, T, C = x.shape
        q = self.q(x).view(B, T, self.h, -1).transpose(1, 2)
        k = self.k(x).view(B, T, self.h, -1).transpose(1, 2)
        v = self.v(x).view(B, T, self.h, -1).transpose(1, 2)
        if v_first is None:
            v_first = v
        else:
            v = 0.5 * (v + v_first)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C)), v_first


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


y = Model()(torch.randn(2, 8, 512))
