# example: the stacked (3, d, d) parameter is taken apart with select into three locals, each applied in its own product; negative.
import os
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.head_dim = dim // n_head
        self.dim = dim
        std = 0.5 * dim ** -0.5
        self.qkv_w = nn.Parameter(torch.empty(3, dim, dim).uniform_(-std, std))
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        B, T, C = x.size()
        wq = self.qkv_w.select(0, 0)
        wk = self.qkv_w.select(0, 1)
        wv = self.qkv_w.select(0, 2)
        q, k, v = F.linear(x, wq), F.linear(x, wk), F.linear(x, wv)
        q = q.view(B, T, self.n_head, self.head_dim)
        k = k.view(B, T, self.n_head, self.head_dim)
        v = v.view(B, T, self.n_head, self.head_dim)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)
