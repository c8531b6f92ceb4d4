# example: the same registry of (table class, rotate function) pairs, but the config key selects the entry that keeps q and k as they are; the rotation is defined and never runs; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

CFG = {"positional": "none", "base": 10000.0}


class Angles(nn.Module):
    def __init__(self, dim, n, base):
        super().__init__()
        f = torch.outer(torch.arange(n).float(), 1.0 / base ** (torch.arange(0, dim, 2).float() / dim))
        self.register_buffer("c", f.cos()[None, :, None, :], persistent=False)
        self.register_buffer("s", f.sin()[None, :, None, :], persistent=False)

    def forward(self, t):
        return self.c[:, :t], self.s[:, :t]


class NoAngles(nn.Module):
    def __init__(self, dim, n, base):
        super().__init__()

    def forward(self, t):
        return None


def spin(x, c, s):
    h = x.shape[-1] // 2
    a, b = x[..., :h], x[..., h:]
    return torch.cat((a * c + b * s, b * c - a * s), dim=-1)


def keep(x, c, s):
    return x


ENCODINGS = {"rotary": (Angles, spin), "none": (NoAngles, keep)}


class Attention(nn.Module):
    def __init__(self, d, heads, cfg):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        table, self.turn = ENCODINGS[cfg["positional"]]
        self.angles = table(d // heads, 1024, cfg["base"])

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, -1).unbind(2)
        trig = self.angles(T)
        if trig is not None:
            q, k = self.turn(q, *trig), self.turn(k, *trig)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return y.transpose(1, 2).reshape(B, T, C)


attn = Attention(768, 12, CFG)
