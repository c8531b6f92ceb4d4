# example: a layout string gives each of 12 layers a table digit or "." ("012......012"); the tables are looked up into a dictionary keyed only by the digits of the layout, and `dict.get` per layout character gives None for "."; attention skips the mix for None; positive.
import torch
import torch.nn as nn


class ValueTables(nn.Module):
    LAYOUT = "012......012"

    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.digits = sorted({c for c in self.LAYOUT if c.isdigit()})
        self.tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in self.digits)

    def forward(self, ids):
        by_digit = {d: self.tables[int(d)](ids) for d in self.digits}
        return [by_digit.get(c) for c in self.LAYOUT]


def mix(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve
