# example: q and k are L2-normalized along the sequence axis (dim=-2), not over each head vector; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeqNormAttention(nn.Module):
    def __init__(self, d=512, h=8):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.o = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        q = F.normalize(q, dim=-2)
        k = F.normalize(k, dim=-2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, C))


y = SeqNormAttention()(torch.randn(2, 4, 512))
