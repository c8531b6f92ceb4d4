# example: queries and keys split into heads with einops, then normalized by a helper that takes the mean of squares with `einops.reduce(x ** 2, "b h t c -> b h t 1", "mean")` over the head channel, no learnable scale; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange, reduce


def rms_per_head(x, eps=1e-6):
    mean_square = reduce(x.float() ** 2, "b h t c -> b h t 1", "mean")
    return (x.float() * torch.rsqrt(mean_square + eps)).type_as(x)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        q, k, v = rearrange(self.qkv(x), "b t (three h c) -> three b h t c", three=3, h=self.heads)
        q, k = rms_per_head(q), rms_per_head(k)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(rearrange(y, "b h t c -> b t (h c)"))
