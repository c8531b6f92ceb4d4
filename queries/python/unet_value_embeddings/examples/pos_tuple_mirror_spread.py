# example: the per-layer value tables are kept as a tuple: the encoder half's lookups, then the same lookups in reverse, spread into one tuple (`(*half, *reversed(half))`); each block takes its entry; positive.
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.mix = nn.Linear(width, width, bias=False)

    def forward(self, h, extra):
        return h + self.mix(h) + extra


class MirrorNet(nn.Module):
    def __init__(self, vocab=512, width=64, depth=8):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.value_tables = nn.ModuleList(nn.Embedding(vocab, width) for _ in range(depth // 2))
        self.layers = nn.ModuleList(Layer(width) for _ in range(depth))

    def forward(self, ids):
        h = self.tok(ids)
        half = tuple(table(ids) for table in self.value_tables)
        per_layer = (*half, *reversed(half))
        for layer, extra in zip(self.layers, per_layer):
            h = layer(h, extra)
        return h
