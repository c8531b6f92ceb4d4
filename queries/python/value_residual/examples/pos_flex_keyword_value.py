# example: flex_attention receives value=v by keyword; the first layer's values are stored when v_first is None and later layers add them with a learnable weight (v + beta * v_first); positive (additive spelling, flex attention).
import torch
import torch.nn as nn
from torch.nn.attention.flex_attention import flex_attention


class Attention(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(dim, dim, bias=False)
        self.v = nn.Linear(dim, dim, bias=False)
        self.o = nn.Linear(dim, dim, bias=False)
        self.beta = nn.Parameter(torch.zeros(()))

    def forward(self, x, v_first, block_mask):
        B, T, C = x.shape
        q, k, v = (m(x).view(B, T, self.heads, -1).transpose(1, 2) for m in (self.q, self.k, self.v))
        if v_first is None:
            v_first = v
        v = v + self.beta * v_first
        y = flex_attention(q, k, value=v, block_mask=block_mask)
        return self.o(y.transpose(1, 2).reshape(B, T, C)), v_first
