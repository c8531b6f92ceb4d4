# example: the same layout string with a digit for every layer ("012012012012"): value embeddings everywhere; negative.

import torch
import torch.nn as nn

LAYOUT = "012012012012"


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
