# gap: RWKV-style token shift on the values - each layer mixes v with v shifted by one position (same layer), no first-layer values; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class ShiftAttention(nn.Module):
    def __init__(self, d=512, h=8):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.h, -1) for t in self.qkv(x).split(C, dim=-1))
        v_prev = F.pad(v, (0, 0, 0, 0, 1, 0))[:, :T]
        v = (1 - self.lamb) * v + self.lamb * v_prev
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))


layers = nn.ModuleList(ShiftAttention() for _ in range(6))
x = torch.randn(2, 8, 512)
for layer in layers:
    x = x + layer(x)
