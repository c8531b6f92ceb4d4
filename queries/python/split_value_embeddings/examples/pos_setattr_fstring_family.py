# example: three model-width nn.Embedding tables registered in a loop with setattr(self, f"ve_{i}", ...) and read back with getattr(self, f"ve_{i}"), mirrored, layer i gets ve[i] as its value input; positive.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab, dim, count):
        super().__init__()
        self.count = count
        for i in range(count):
            setattr(self, f"ve_{i}", nn.Embedding(vocab, dim))

    def forward(self, ids):
        looked_up = [getattr(self, f"ve_{i}")(ids) for i in range(self.count)]
        return looked_up + looked_up[::-1]


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.values = ValueTables(vocab, width, 3)
        self.layers = layers  # six layers; each mixes its value input into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        ve = self.values(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, ve[i])
        return x
