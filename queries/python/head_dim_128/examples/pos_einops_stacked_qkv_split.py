# example: q, k and v are split out of one projection with einops, "b n (three h d) -> three b h n d" with
# three=3 and d=128 at width 768 (6 heads); positive.
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange


class Attention(nn.Module):
    def __init__(self, dim=768, dim_head=128):
        super().__init__()
        self.dim_head = dim_head
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        q, k, v = rearrange(self.to_qkv(x), "b n (three h d) -> three b h n d", three=3, d=self.dim_head)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(rearrange(out, "b h n d -> b n (h d)"))
