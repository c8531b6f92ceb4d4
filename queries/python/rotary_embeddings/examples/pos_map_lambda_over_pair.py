# example: q and k are rotated by mapping a lambda over the pair (map(lambda t: turn(t, cos, sin), (q, k)));
# positive.
import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange


def turn(t, cos, sin):
    a, b = t.chunk(2, dim=-1)
    return torch.cat((a * cos - b * sin, a * sin + b * cos), dim=-1).type_as(t)


class Attention(nn.Module):
    def __init__(self, dim=512, heads=8, base=10000):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=False)
        d = dim // heads
        self.register_buffer("inv_freq", 1.0 / base ** (torch.arange(0, d, 2).float() / d), persistent=False)

    def forward(self, x):
        n = x.shape[1]
        q, k, v = rearrange(self.to_qkv(x), "b n (three h d) -> three b h n d", three=3, h=self.heads)
        freqs = torch.outer(torch.arange(n, device=x.device).float(), self.inv_freq)
        cos, sin = freqs.cos(), freqs.sin()
        q, k = map(lambda t: turn(t, cos, sin), (q, k))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(rearrange(out, "b h n d -> b n (h d)"))
