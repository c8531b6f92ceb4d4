# example: per-layer value tables filled in a counted `while` loop whose body first holds each lookup in a local (`e = self.tables[j](idx)`) and then stores it at layer j and at its mirror from the end, the middle layers left None; positive.
import torch
import torch.nn as nn

TABLES = 3


class ValueBank(nn.Module):
    def __init__(self, vocab, width, layers):
        super().__init__()
        self.layers = layers
        self.tables = nn.ModuleList([nn.Embedding(vocab, width) for _ in range(TABLES)])

    def forward(self, idx):
        n = self.layers
        per_layer = [None] * n
        j = 0
        while j < TABLES:
            e = self.tables[j](idx)
            per_layer[j] = e
            per_layer[n - TABLES + j] = e
            j += 1
        return per_layer


class Layer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.v = nn.Linear(width, width, bias=False)
        self.mix = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, x, extra):
        v = self.v(x)
        if extra is None:
            return self.mix[0] * v
        return self.mix[0] * v + self.mix[1] * extra


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.values = ValueBank(vocab, width, depth)
        self.layers = nn.ModuleList([Layer(width) for _ in range(depth)])

    def forward(self, idx):
        x = self.embed(idx)
        extras = self.values(idx)
        for i, layer in enumerate(self.layers):
            x = x + layer(x, extras[i])
        return x
