# example: one wide nn.Embedding is chunked into 6 tables; the per-layer list is list(tables) + list(reversed(tables)),
# so layer l < 6 gets table l and decoder layer 6 + j gets table 5 - j (copies of the chunk tuple on both sides).
import torch
from torch import nn


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=768, n_tables=6):
        super().__init__()
        self.n_tables = n_tables
        self.embed = nn.Embedding(vocab, dim)
        self.value_embed = nn.Embedding(vocab, dim * n_tables)
        self.blocks = blocks  # 12 blocks whose attention mixes v with the value embedding it is given

    def forward(self, ids):
        x = x0 = self.embed(ids[None])
        tables = self.value_embed(ids[None]).chunk(self.n_tables, dim=-1)
        per_layer = list(tables) + list(reversed(tables))
        for l, block in enumerate(self.blocks):
            x = block(x, per_layer[l], x0)
        return x
