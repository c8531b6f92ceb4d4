# example: a layout string "012......012" is read with `dict.get` per character, but the dictionary is keyed by every character of the layout ("." included, mapped to a shared table), so no layer is left without a value embedding; negative.
import torch
import torch.nn as nn


class ValueTables(nn.Module):
    LAYOUT = "012......012"

    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.keys = sorted(set(self.LAYOUT))
        self.tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in self.keys)

    def forward(self, ids):
        by_key = {k: self.tables[self.keys.index(k)](ids) for k in self.keys}
        return [by_key.get(c) for c in self.LAYOUT]


def mix(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve
