# example: partial RoPE written inline in the attention forward - the first r channels of q and k become x*cos + rotate_half(x)*sin from a cached outer(t, inv_freq) table, the rest pass through, then SDPA; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), -1)


class SelfAttention(nn.Module):
    def __init__(self, width=512, n_heads=8, rot_dims=32, max_len=2048):
        super().__init__()
        self.n_heads = n_heads
        self.r = rot_dims
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        inv_freq = 1.0 / (10000 ** (torch.arange(0, rot_dims, 2).float() / rot_dims))
        t = torch.arange(max_len).float()
        freqs = torch.outer(t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", emb.cos()[None, None], persistent=False)
        self.register_buffer("sin_cached", emb.sin()[None, None], persistent=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.n_heads, -1).permute(2, 0, 3, 1, 4)
        r = self.r
        cos = self.cos_cached[:, :, :t]
        sin = self.sin_cached[:, :, :t]
        q_rot = q[..., :r] * cos + rotate_half(q[..., :r]) * sin
        k_rot = k[..., :r] * cos + rotate_half(k[..., :r]) * sin
        q = torch.cat((q_rot, q[..., r:]), dim=-1)
        k = torch.cat((k_rot, k[..., r:]), dim=-1)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))
