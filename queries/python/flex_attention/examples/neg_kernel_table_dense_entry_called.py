# example: a table of kernels holds FlexAttention under "flex", but the layer calls the "dense" entry, plain SDPA with a causal flag; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.attention.flex_attention import flex_attention

OPS = {
    "flex": torch.compile(flex_attention, dynamic=False),
    "dense": F.scaled_dot_product_attention,
}


class SelfAttention(nn.Module):
    def __init__(self, d=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, -1).permute(2, 0, 3, 1, 4)
        y = OPS["dense"](q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))
