# example: near miss - the same einops helper, but its reduction takes the mean over the heads (`"b h t c -> b 1 t c"`), not over each head's channels, so it is no per-head RMS norm; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange, reduce


def rms_per_head(x, eps=1e-6):
    mean_square = reduce(x.float() ** 2, "b h t c -> b 1 t c", "mean")
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
