# example: per-head RMS norm applied to the queries and to the values, keys left raw; negative (k is not normalized).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, d=512, h=4):
        super().__init__()
        self.h = h
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q = self.wq(x).view(B, T, self.h, -1)
        k = self.wk(x).view(B, T, self.h, -1)
        v = self.wv(x).view(B, T, self.h, -1)
        q = F.rms_norm(q, (q.size(-1),))
        v = F.rms_norm(v, (v.size(-1),))
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))


y = Attn()(torch.randn(2, 8, 512))
