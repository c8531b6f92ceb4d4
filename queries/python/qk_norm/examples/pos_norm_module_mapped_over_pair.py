# example: one RMSNorm module mapped over (q, k) with map(); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Mixer(nn.Module):
    def __init__(self, width=512, heads=8):
        super().__init__()
        self.heads = heads
        self.proj_in = nn.Linear(width, 3 * width, bias=False)
        self.proj_out = nn.Linear(width, width, bias=False)
        self.head_norm = nn.RMSNorm(width // heads)

    def forward(self, x):
        b, n, w = x.shape
        q, k, v = self.proj_in(x).view(b, n, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        q, k = map(self.head_norm, [q, k])
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj_out(y.transpose(1, 2).reshape(b, n, w))
