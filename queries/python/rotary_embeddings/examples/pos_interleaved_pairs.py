# example: RoPE written on interleaved even/odd channels with precomputed sin/cos tables, applied to queries and keys of a fused projection; positive (different pairing layout, still a rotation of q and k).
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

MAX_SEQ = 2048


def sincos_tables(dim, n_pos):
    inv = torch.exp(-math.log(10000.0) * torch.arange(0, dim, 2).float() / dim)
    ang = torch.arange(n_pos).float()[:, None] * inv[None, :]
    return torch.sin(ang), torch.cos(ang)


def spin(t, sin, cos):
    even, odd = t[..., 0::2], t[..., 1::2]
    s, c = sin[: t.size(1)][None, :, None, :], cos[: t.size(1)][None, :, None, :]
    rotated = torch.stack((even * c - odd * s, even * s + odd * c), dim=-1)
    return rotated.flatten(-2)


class CausalAttn(nn.Module):
    def __init__(self, width, n_head):
        super().__init__()
        self.n_head = n_head
        self.proj_in = nn.Linear(width, 3 * width, bias=False)
        self.proj_out = nn.Linear(width, width, bias=False)
        s, c = sincos_tables(width // n_head, MAX_SEQ)
        self.register_buffer("sin_t", s, persistent=False)
        self.register_buffer("cos_t", c, persistent=False)

    def forward(self, x):
        b, t, w = x.shape
        qry, key, val = self.proj_in(x).split(w, dim=-1)
        qry = spin(qry.view(b, t, self.n_head, -1), self.sin_t, self.cos_t)
        key = spin(key.view(b, t, self.n_head, -1), self.sin_t, self.cos_t)
        val = val.view(b, t, self.n_head, -1)
        att = F.scaled_dot_product_attention(*(z.transpose(1, 2) for z in (qry, key, val)), is_causal=True)
        return self.proj_out(att.transpose(1, 2).contiguous().view(b, t, w))
