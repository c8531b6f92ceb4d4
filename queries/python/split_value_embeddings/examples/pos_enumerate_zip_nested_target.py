# example: three model-width tables looked up in a module's forward; the loop for i, (layer, ve) in enumerate(zip(self.layers, ves)) hands each layer its table's lookup as an extra input; positive.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab, width, count=3):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(count)])

    def forward(self, ids):
        return [table(ids) for table in self.tables]


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.values = ValueTables(vocab, width)
        self.layers = layers  # each mixes its value input into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        ves = self.values(ids[None])
        for i, (layer, ve) in enumerate(zip(self.layers, ves)):
            x = layer(x, ve)
        return x
