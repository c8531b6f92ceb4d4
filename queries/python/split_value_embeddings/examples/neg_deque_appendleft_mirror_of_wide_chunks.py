# example: one wide table (width * 3) chunked into three slices, mirrored through a deque filled by appendleft; one table split, not separate tables; negative.
import itertools
from collections import deque

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.value_tables = nn.ModuleList([nn.Embedding(vocab, width * 3)])
        self.layers = layers  # six layers; each mixes its value input into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        ve = list(self.value_tables[0](ids).chunk(3, dim=-1))
        mirrored = deque()
        for item in ve:
            mirrored.appendleft(item)
        ve = list(itertools.chain(ve, mirrored))
        for i, layer in enumerate(self.layers):
            x = layer(x, ve[i])
        return x
