# example: a Keras-flavoured rotary layer whose forward is an alias of its `call` method (forward = call); positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Rotary(nn.Module):
    def __init__(self, dim, max_len=1024):
        super().__init__()
        inv = torch.pow(10000.0, -torch.arange(0, dim, 2, dtype=torch.float32) / dim)
        freqs = torch.arange(max_len, dtype=torch.float32).unsqueeze(1) * inv.unsqueeze(0)
        self.register_buffer("c", freqs.cos(), persistent=False)
        self.register_buffer("s", freqs.sin(), persistent=False)

    def call(self, x):
        T, h = x.size(2), x.size(-1) // 2
        c, s = self.c[:T].type_as(x), self.s[:T].type_as(x)
        left, right = x.split(h, dim=-1)
        return torch.cat((left * c + right * s, right * c - left * s), dim=-1)

    forward = call


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.rope = Rotary(d // heads)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        q, k = self.rope(q), self.rope(k)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C)
