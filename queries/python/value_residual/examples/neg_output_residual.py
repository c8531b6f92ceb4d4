# example: near miss - the first layer's attention OUTPUT y1 is carried along and mixed into every layer's output, (1 - l) * y + l * y1; the values themselves are never mixed; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, d=768, h=6):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, y1=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        if y1 is None:
            y1 = y
        y = (1 - self.lamb) * y + self.lamb * y1
        return y, y1
