# example: a factory defines an RMS-norm function inside itself and returns it; the name holding its result normalizes q and k per head; positive.
import os
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


def pick_norm():
    def rms(u):
        return F.rms_norm(u, (u.size(-1),))
    return rms

norm = pick_norm()


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.head_dim = dim // n_head
        self.c_q = nn.Linear(dim, dim, bias=False)
        self.c_k = nn.Linear(dim, dim, bias=False)
        self.c_v = nn.Linear(dim, dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.c_proj.weight.data.zero_()

    def forward(self, x):
        B, T, C = x.size()
        q = norm(self.c_q(x).view(B, T, self.n_head, self.head_dim))
        k = norm(self.c_k(x).view(B, T, self.n_head, self.head_dim))
        v = self.c_v(x).view(B, T, self.n_head, self.head_dim)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)
