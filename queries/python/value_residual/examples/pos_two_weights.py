# example: each layer holds v_mix = Parameter([0.5, 0.5]) and computes v = v_mix[0] * v + v_mix[1] * v0 with v0 the first layer's values handed down the stack; positive (two free weights).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Layer(nn.Module):
    def __init__(self, d=768, h=6):
        super().__init__()
        self.h = h
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.v_mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, v0):
        B, T, C = x.shape
        q, k, v = (m(x).view(B, T, self.h, -1).transpose(1, 2) for m in (self.q, self.k, self.v))
        v0 = v if v0 is None else v0
        v = self.v_mix[0] * v + self.v_mix[1] * v0
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return x + self.o(y.transpose(1, 2).reshape(B, T, C)), v0


stack = nn.ModuleList(Layer() for _ in range(12))
x, v0 = torch.randn(2, 16, 768), None
for layer in stack:
    x, v0 = layer(x, v0)
