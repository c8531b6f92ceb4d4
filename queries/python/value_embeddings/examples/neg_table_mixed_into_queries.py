# example: per-layer token tables are looked up from the ids but added to the queries, not the values; the attention values never see them, so NOT value embeddings.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x, token_bias):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=-1)
        q = q + token_bias
        q, k, v = (z.view(B, T, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class Model(nn.Module):
    def __init__(self, vocab=50304, dim=256, depth=4, heads=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.query_tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in range(depth))
        self.attn = nn.ModuleList(Attention(dim, heads) for _ in range(depth))

    def forward(self, ids):
        x = self.embed(ids)
        for attn, table in zip(self.attn, self.query_tables):
            x = x + attn(x, table(ids))
        return x
