# example: three model-width nn.Embedding tables are looked up and mirrored through a deque filled by appendleft, then chained after the lookups; layer i gets ve[i] as its value input; positive.
import itertools
from collections import deque

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.value_tables = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(3)])
        self.layers = layers  # six layers; each mixes its value input into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        ve = [table(ids) for table in self.value_tables]
        mirrored = deque()
        for item in ve:
            mirrored.appendleft(item)
        ve = list(itertools.chain(ve, mirrored))
        for i, layer in enumerate(self.layers):
            x = layer(x, ve[i])
        return x
