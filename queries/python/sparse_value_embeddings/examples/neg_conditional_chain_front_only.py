# example: a nested conditional over the 12 layers gives tables to the first six layers (both tests are front bounds) and None to the rest, so the last layers get no value embedding; negative.
import torch
import torch.nn as nn


class ValueTables(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12, k=3):
        super().__init__()
        self.n_layer, self.k = n_layer, k
        self.tables = nn.ModuleList(nn.Embedding(vocab, dim) for _ in range(k))

    def forward(self, ids):
        tables = [t(ids) for t in self.tables]
        n, k = self.n_layer, self.k
        return [tables[j] if j < k else (tables[j - k] if j < 2 * k else None) for j in range(n)]


def mix(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve
