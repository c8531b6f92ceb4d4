# example: near miss - the same (1 - lamb) * v + lamb * ve formula, but ve is a per-layer value embedding looked up from token ids, not the first layer's values; negative for value_residual.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d=768, heads=6):
        super().__init__()
        self.heads = heads
        self.c_q = nn.Linear(d, d, bias=False)
        self.c_k = nn.Linear(d, d, bias=False)
        self.c_v = nn.Linear(d, d, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, ve):
        B, T, C = x.shape
        q = self.c_q(x).view(B, T, self.heads, -1)
        k = self.c_k(x).view(B, T, self.heads, -1)
        v = self.c_v(x).view(B, T, self.heads, -1)
        v = (1 - self.lamb) * v + self.lamb * ve.view_as(v)
        return F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.vte = nn.Embedding(vocab, d * n)
        self.layers = nn.ModuleList(Attention(d) for _ in range(n))

    def forward(self, idx):
        x = self.wte(idx)
        ves = self.vte(idx).chunk(len(self.layers), dim=-1)
        for layer, ve in zip(self.layers, ves):
            x = x + layer(x, ve).transpose(1, 2).reshape_as(x)
        return x
