# example: a custom Linear with a zero_init flag creates its weight with torch.zeros; both the attention output and the MLP output are built with zero_init=True; positive.
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Dense(nn.Module):
    def __init__(self, fan_in, fan_out, zero_init=False):
        super().__init__()
        if zero_init:
            self.weight = nn.Parameter(torch.zeros(fan_out, fan_in))
        else:
            self.weight = nn.Parameter(torch.empty(fan_out, fan_in).uniform_(-1, 1) / math.sqrt(fan_in))

    def forward(self, x):
        return F.linear(x, self.weight.type_as(x))


class Block(nn.Module):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = Dense(dim, 3 * dim)
        self.attn_out = Dense(dim, dim, zero_init=True)
        self.mlp_in = Dense(dim, 4 * dim)
        self.mlp_out = Dense(4 * dim, dim, zero_init=True)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
        x = x + self.attn_out(y)
        return x + self.mlp_out(F.relu(self.mlp_in(x)).square())
