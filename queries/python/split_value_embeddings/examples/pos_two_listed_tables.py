# example: a ModuleList lists two model-width nn.Embedding tables explicitly; each lookup is passed to alternate layers as their value input; separate tables without a comprehension.
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=640):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.value_tables = nn.ModuleList([nn.Embedding(vocab, width), nn.Embedding(vocab, width)])
        self.layers = layers  # each layer mixes its value input into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        extras = [table(ids) for table in self.value_tables]
        for i, layer in enumerate(self.layers):
            x = layer(x, extras[i % 2])
        return x
