# example: one wide token table is chunked per layer into a deque that each block takes its slice from with popleft(), blended into the attention values; positive.
from collections import deque

import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.lamb = nn.Parameter(torch.tensor(0.5))

    def forward(self, x, token_values):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        v = (1 - self.lamb) * v + self.lamb * token_values
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=6, heads=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * n_layer)
        self.blocks = nn.ModuleList(Attention(dim, heads) for _ in range(n_layer))

    def forward(self, idx):
        x = self.wte(idx)
        per_layer = deque(self.vte(idx).chunk(len(self.blocks), dim=-1))
        for blk in self.blocks:
            x = x + blk(x, per_layer.popleft())
        return x
