# example: the per-layer value tables are laid out with itertools.chain(tables, tables), so the decoder reuses them in the same order; NOT present.
from itertools import chain

import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x, ve):
        return x + self.fc(x) + ve


class Net(nn.Module):
    def __init__(self, vocab=50304, d=64, depth=12):
        super().__init__()
        self.half = depth // 2
        self.tok = nn.Embedding(vocab, d)
        self.values = nn.Embedding(vocab, d * self.half)
        self.layers = nn.ModuleList(Layer(d) for _ in range(depth))

    def forward(self, idx):
        x = self.tok(idx)
        tables = self.values(idx).chunk(self.half, dim=-1)
        per_layer = tuple(chain(tables, tables))
        for i, layer in enumerate(self.layers):
            x = layer(x, per_layer[i])
        return x
