# example: three model-width nn.Embedding tables are looked up and the lookups are wrapped in a file class (the list kept in a field, read back through its __getitem__); bank[i] feeds each layer's value input; separate tables behind a sequence object; positive.
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
        self.value_tables = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(3)])
        self.layers = layers  # each layer mixes its value input into attention v

    def values(self, ids):
        return Bank([table(ids) for table in self.value_tables])

    def forward(self, ids):
        x = self.tok(ids)[None]
        bank = self.values(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, bank[i])
        return x
