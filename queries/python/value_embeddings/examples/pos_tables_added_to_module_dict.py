# example: the value table is written into a plain dict of modules (`modules["vte"] = nn.Embedding(...)`) before `nn.ModuleDict(modules)` registers them; its per-layer chunks are mixed into each attention's values; positive.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x, extra):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        v = 0.5 * v + 0.5 * extra
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=256, depth=4, heads=4):
        super().__init__()
        self.depth = depth
        modules = dict(wte=nn.Embedding(vocab, dim), attn=nn.ModuleList(Attention(dim, heads) for _ in range(depth)))
        modules["vte"] = nn.Embedding(vocab, dim * depth)
        self.transformer = nn.ModuleDict(modules)

    def forward(self, ids):
        x = self.transformer.wte(ids)
        tables = self.transformer.vte(ids).chunk(self.depth, dim=-1)
        for attn, table in zip(self.transformer.attn, tables):
            x = x + attn(x, table)
        return x
