# example: three narrow token tables are chained with itertools.chain(ve, reversed(ve)) but each lookup is added to the residual stream (first argument), not given as a value input; NOT split value embeddings.
from itertools import chain
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.extra = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(3)])
        self.layers = layers

    def forward(self, ids):
        x = self.tok(ids)[None]
        ve = [table(ids) for table in self.extra]
        for layer, e in zip(self.layers, chain(ve, reversed(ve))):
            x = layer(x + e)
        return x
