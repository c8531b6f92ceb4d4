# example: sinusoidal position codes (sin/cos of pos * inv_freq) ADDED to queries and keys inside attention, no rotation; negative (absolute additive encoding, not RoPE).
import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoid(seq_len, dim, base=10000.0):
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    ang = torch.arange(seq_len).float()[:, None] * inv_freq[None, :]
    return torch.cat([ang.sin(), ang.cos()], dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        pe = sinusoid(T, C // self.n_head).to(x.dtype)
        q = q + pe
        k = k + pe
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))
