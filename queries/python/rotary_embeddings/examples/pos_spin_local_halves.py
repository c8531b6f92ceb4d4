# example: a spin() helper builds the swapped halves cat(-x[..., d:], x[..., :d]) in a local and returns x*cos + half*sin; attention spins both queries and keys with sin/cos of positions times inverse frequencies; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def spin(x, cos, sin):
    d = x.shape[-1] // 2
    half = torch.cat((-x[..., d:], x[..., :d]), dim=-1)
    return x * cos + half * sin


def angle_table(head_dim, seq_len, base=10000.0):
    inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    pos = torch.arange(seq_len, dtype=torch.float32)
    ang = pos[:, None] * inv_freq[None, :]
    ang = torch.cat((ang, ang), dim=-1)
    return ang.cos(), ang.sin()


class CausalBlockAttn(nn.Module):
    def __init__(self, d_model=384, heads=6, seq_len=1024):
        super().__init__()
        self.heads = heads
        self.to_q = nn.Linear(d_model, d_model, bias=False)
        self.to_k = nn.Linear(d_model, d_model, bias=False)
        self.to_v = nn.Linear(d_model, d_model, bias=False)
        self.to_out = nn.Linear(d_model, d_model, bias=False)
        cos, sin = angle_table(d_model // heads, seq_len)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)

    def forward(self, x):
        B, T, D = x.shape
        split = lambda z: z.view(B, T, self.heads, -1).transpose(1, 2)
        q, k, v = split(self.to_q(x)), split(self.to_k(x)), split(self.to_v(x))
        cos, sin = self.cos[:T], self.sin[:T]
        q = spin(q, cos, sin)
        k = spin(k, cos, sin)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(out.transpose(1, 2).reshape(B, T, D))
