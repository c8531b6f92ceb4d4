# example: one embedding bank is split into 3 tables; a comprehension over the 12 layers gives table i to the first three, table i - 9 to the last three through a nested conditional, and None in between; attention skips the mix for None; positive.
import torch
import torch.nn as nn


class ValueTables(nn.Module):
    def __init__(self, vocab=50304, dim=768, n_layer=12, k=3):
        super().__init__()
        self.n_layer, self.k, self.dim = n_layer, k, dim
        self.bank = nn.Embedding(vocab, k * dim)

    def forward(self, ids):
        tables = self.bank(ids).unflatten(-1, (self.k, self.dim)).unbind(-2)
        n, k = self.n_layer, self.k
        return [tables[j] if j < k else (tables[j - (n - k)] if j >= n - k else None) for j in range(n)]


def mix(v, ve, lambdas):
    if ve is None:
        return lambdas[0] * v
    return lambdas[0] * v + lambdas[1] * ve
