# example: the per-layer list is filled by slice assignment at the front only (`per_layer[:3] = lookups`); the last layers get no value embedding, so this is not the both-ends layout; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x, ve=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        if ve is not None:
            v = 0.5 * v + 0.5 * ve
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=12, heads=8):
        super().__init__()
        self.depth = depth
        self.tok = nn.Embedding(vocab, d)
        self.tables = nn.ModuleList(nn.Embedding(vocab, d) for _ in range(3))
        self.layers = nn.ModuleList(Attention(d, heads) for _ in range(depth))

    def forward(self, idx):
        x = self.tok(idx)
        per_layer = [None] * self.depth
        per_layer[:3] = [t(idx) for t in self.tables]
        for layer, ve in zip(self.layers, per_layer):
            x = x + layer(F.rms_norm(x, (x.size(-1),)), ve)
        return x
