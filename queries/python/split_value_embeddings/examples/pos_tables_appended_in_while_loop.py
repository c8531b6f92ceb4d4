# example: three model-width nn.Embedding tables are made by appending to a list that starts empty in a while loop with a hand counter, held in a ModuleList; layer i gets the lookup of table i as its value input; positive.
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=768, count=3):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        tables = []
        left = count
        while left:
            tables.append(nn.Embedding(vocab, width))
            left -= 1
        self.value_tables = nn.ModuleList(tables)
        self.layers = layers  # three layers; each mixes its value input into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        ve = [table(ids) for table in self.value_tables]
        for i, layer in enumerate(self.layers):
            x = layer(x, ve[i])
        return x
