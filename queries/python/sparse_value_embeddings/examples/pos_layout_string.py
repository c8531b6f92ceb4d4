# example: a config string gives each of 12 layers a table digit or "." ("012......012"); the module builds three tables and maps "." to None, and attention skips the mix for None; positive.

import torch
import torch.nn as nn

LAYOUT = "012......012"


class ValueTables(nn.Module):
    def __init__(self, vocab=50304, dim=768):
        super().__init__()
        self.slots = [None if c == "." else int(c) for c in LAYOUT]
        self.tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in range(3))

    def forward(self, ids):
        looked = [t(ids) for t in self.tables]
        return [None if s is None else looked[s] for s in self.slots]


def mix(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve
