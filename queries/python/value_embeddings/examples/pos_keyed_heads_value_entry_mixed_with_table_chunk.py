# example: heads held in a dict keyed by role; the "v" entry is blended with this layer's chunk of a wide token table read from an nn.ModuleDict by key, then q, k, v are unpacked from a generator over the keys; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attn(nn.Module):
    def __init__(self, d=512, heads=8):
        super().__init__()
        self.heads = heads
        self.maps = nn.ModuleDict({r: nn.Linear(d, d, bias=False) for r in ("q", "k", "v")})
        self.out = nn.Linear(d, d, bias=False)
        self.mix = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve):
        B, T, C = x.shape
        h = {r: m(x).view(B, T, self.heads, -1) for r, m in self.maps.items()}
        h["v"] = torch.lerp(h["v"], ve.view_as(h["v"]), self.mix)
        q, k, v = (h[r].transpose(1, 2) for r in ("q", "k", "v"))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(B, T, C))


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=6):
        super().__init__()
        self.depth = depth
        self.tables = nn.ModuleDict({"tok": nn.Embedding(vocab, d), "val": nn.Embedding(vocab, d * depth)})
        self.layers = nn.ModuleList([Attn(d) for _ in range(depth)])

    def forward(self, idx):
        x = self.tables["tok"](idx)
        per_layer = self.tables["val"](idx).chunk(self.depth, dim=-1)
        for layer, ve in zip(self.layers, per_layer):
            x = x + layer(x, ve)
        return x
