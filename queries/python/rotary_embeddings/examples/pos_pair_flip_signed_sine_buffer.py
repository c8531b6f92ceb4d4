# example: a rotary module that swaps each interleaved pair with unflatten(-1, (-1, 2)).flip(-1).flatten(-2) and folds the sign into its sine buffer (s[:, 0::2] *= -1), so x * c + swapped * s turns every pair by its angle; applied to q and k before SDPA; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class PairTurn(nn.Module):
    def __init__(self, dh, seq=1024, base=10000.0):
        super().__init__()
        freqs = (1.0 / base ** (torch.arange(0, dh, 2).float() / dh)).repeat_interleave(2)
        ang = torch.outer(torch.arange(seq).float(), freqs)
        self.register_buffer("c", ang.cos(), persistent=False)
        s = ang.sin()
        s[:, 0::2] *= -1
        self.register_buffer("s", s, persistent=False)

    def forward(self, x):
        t = x.size(1)
        swapped = x.unflatten(-1, (-1, 2)).flip(-1).flatten(-2)
        return x * self.c[None, :t, None, :] + swapped * self.s[None, :t, None, :]


class SelfAttention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.turn = PairTurn(d // heads)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).unbind(2)
        q, k = self.turn(q), self.turn(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, d))
