# example: the same Bank object read through __getitem__, but it holds the chunks of one wide nn.Embedding(vocab, width * 3); a single table, so NOT split value embeddings; negative.
import torch
from torch import nn


class Bank:
    def __init__(self, rows):
        self.rows = list(rows)

    def __getitem__(self, k):
        return self.rows[k % len(self.rows)]


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=640):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.value_table = nn.Embedding(vocab, width * 3)
        self.layers = layers  # each layer mixes its value input into attention v

    def values(self, ids):
        return Bank(self.value_table(ids).chunk(3, dim=-1))

    def forward(self, ids):
        x = self.tok(ids)[None]
        bank = self.values(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, bank[i])
        return x
