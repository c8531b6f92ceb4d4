# example: near miss - q, k and v keep three separate parameters; the caller stacks them on every call and hands the
# stack to a product helper whose result is split in three, so nothing is stored merged; negative.
import torch
from torch import nn
import torch.nn.functional as F


def project(x, w):
    return F.linear(x, w)


class Attention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.wq = nn.Parameter(torch.randn(d, d) * d ** -0.5)
        self.wk = nn.Parameter(torch.randn(d, d) * d ** -0.5)
        self.wv = nn.Parameter(torch.randn(d, d) * d ** -0.5)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = project(x, torch.stack([self.wq, self.wk, self.wv]).flatten(0, 1)).chunk(3, dim=-1)
        q, k, v = (z.view(b, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return y.transpose(1, 2).reshape(b, t, d)
