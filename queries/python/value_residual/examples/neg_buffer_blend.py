# example: later layers blend the first layer's values in as (1 - w) * v + w * v_first, but w is a registered buffer fixed at 0.5, not a trained weight; negative.

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d=256, h=4):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.register_buffer("w", torch.tensor(0.5), persistent=False)

    def forward(self, x, v_first=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        if v_first is None:
            v_first = v
        v = (1 - self.w) * v + self.w * v_first
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C)), v_first
