# example: three model-width nn.Embedding tables registered with setattr(self, f"ve_{i}", ...) and read with getattr, but their lookups are added to the residual stream handed to each layer as its input; negative.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab, dim, count):
        super().__init__()
        self.count = count
        for i in range(count):
            setattr(self, f"ve_{i}", nn.Embedding(vocab, dim))

    def forward(self, ids):
        return [getattr(self, f"ve_{i}")(ids) for i in range(self.count)]


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.values = ValueTables(vocab, width, 3)
        self.layers = layers

    def forward(self, ids):
        x = self.tok(ids)[None]
        ve = self.values(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x + ve[i % 3])
        return x
