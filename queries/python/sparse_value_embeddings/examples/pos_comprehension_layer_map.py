# example: the layer -> table map is built by two dict comprehensions (first three layers, last three) and layers outside it get None; positive.
import torch
import torch.nn as nn


class ValueTables(nn.Module):
    COUNT = 3

    def __init__(self, vocab, d, layers):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(vocab, d) for _ in range(self.COUNT)])
        self.table_of = {i: i for i in range(self.COUNT)}
        self.table_of.update({layers - self.COUNT + i: i for i in range(self.COUNT)})
        self.layers = layers

    def forward(self, idx):
        looked_up = [t(idx) for t in self.tables]
        return [looked_up[self.table_of[i]] if i in self.table_of else None for i in range(self.layers)]


class Attention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.v = nn.Linear(d, d)
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, ve):
        v = self.v(x)
        v = self.mix[0] * v if ve is None else self.mix[0] * v + self.mix[1] * ve
        return v


tables = ValueTables(1000, 64, 12)
