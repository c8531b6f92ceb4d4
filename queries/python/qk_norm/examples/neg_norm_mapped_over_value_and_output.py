# example: near miss - a norm is mapped over a pair, but the pair is (v, attention output), not (q, k); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Mixer(nn.Module):
    def __init__(self, width=512, heads=8):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(width, width, bias=False)
        self.to_k = nn.Linear(width, width, bias=False)
        self.to_v = nn.Linear(width, width, bias=False)
        self.back = nn.Linear(width, width, bias=False)

    def squash(self, t):
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + 1e-6)

    def forward(self, x):
        b, n, w = x.shape
        q, k, v = (p(x).view(b, n, self.heads, -1).transpose(1, 2) for p in (self.to_q, self.to_k, self.to_v))
        (v,) = map(self.squash, (v,))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        y, = map(self.squash, [y])
        return self.back(y.transpose(1, 2).reshape(b, n, w))
