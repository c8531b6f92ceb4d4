# example: a per-layer list of table indices starts all None and gets its two ends by slice assignment of index lists (`slot[:3] = [0, 1, 2]`, `slot[-3:] = [0, 1, 2]`); middle layers skip the value mix; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.gate = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        if ve is not None:
            v = torch.lerp(v, ve, self.gate)
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=12, heads=8):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.tables = nn.ModuleList(nn.Embedding(vocab, d) for _ in range(3))
        self.layers = nn.ModuleList(Attention(d, heads) for _ in range(depth))
        slot = [None] * depth
        slot[:3] = [0, 1, 2]
        slot[-3:] = [0, 1, 2]
        self.slot = slot

    def forward(self, idx):
        x = self.tok(idx)
        values = [t(idx) for t in self.tables]
        for layer, s in zip(self.layers, self.slot):
            x = x + layer(F.rms_norm(x, (x.size(-1),)), None if s is None else values[s])
        return x
