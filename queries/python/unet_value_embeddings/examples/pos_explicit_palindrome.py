# example: three value tables are laid out for six layers as an explicit list [t0, t1, t2, t2, t1, t0], so layer i and layer 5-i share a table; mirrored sharing written out by hand.
import torch
from torch import nn


class ValueTables(nn.Module):
    def __init__(self, vocab=50304, dim=512):
        super().__init__()
        self.embeds = nn.ModuleList([nn.Embedding(vocab, dim) for _ in range(3)])

    def forward(self, ids):
        t = [e(ids) for e in self.embeds]
        return [t[0], t[1], t[2], t[2], t[1], t[0]]


class Net(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=512):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.values = ValueTables(vocab, dim)
        self.blocks = blocks  # six blocks; each mixes its value tensor into attention v

    def forward(self, ids):
        x = self.tok(ids)[None]
        for block, ve in zip(self.blocks, self.values(ids)):
            x = block(x, ve)
        return x
