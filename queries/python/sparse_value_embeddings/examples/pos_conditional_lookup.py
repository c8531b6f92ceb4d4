# example: a comprehension gives layer i the table tables[i % 3] only when i < 3 or i >= n - 3 and None otherwise; the attention skips the mix when it gets None; the sparse layout written as a condition.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab: int, width: int, n_layers: int = 12):
        super().__init__()
        self.n_layers = n_layers
        self.tables = nn.ModuleList(nn.Embedding(vocab, width) for _ in range(3))

    def forward(self, ids):
        looked = [t(ids) for t in self.tables]
        n = self.n_layers
        return [looked[i % 3] if i < 3 or i >= n - 3 else None for i in range(n)]


def mix(v, extra, gains):
    if extra is None:
        return gains[0] * v
    return gains[0] * v + gains[1] * extra.view_as(v)
