# example: the layer -> table layout comes from a generator function (`yield layer` for the first three layers, the mirrored index for the last three, `yield None` between), read with `list(...)`; positive.
import torch
import torch.nn as nn


def table_layout(num_layers, num_tables):
    for layer in range(num_layers):
        if layer < num_tables:
            yield layer
        elif layer >= num_layers - num_tables:
            yield layer - (num_layers - num_tables)
        else:
            yield None


class ValueTables(nn.Module):
    def __init__(self, vocab, d, layers, count=3):
        super().__init__()
        self.tables = nn.ModuleList([nn.Embedding(vocab, d) for _ in range(count)])
        self.layout = list(table_layout(layers, count))

    def forward(self, idx):
        looked_up = [t(idx) for t in self.tables]
        return [None if j is None else looked_up[j] for j in self.layout]


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
