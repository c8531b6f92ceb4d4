# example: the value lookups are a tuple with the k tables at the front and `(None,)` slots after them, so only the first blocks get a value embedding and the last ones none; negative.
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.attn_v = nn.Linear(width, width, bias=False)
        self.lam = nn.Parameter(torch.tensor([0.5, 0.5]))

    def forward(self, h, ve):
        v = self.attn_v(h)
        if ve is not None:
            v = self.lam[0] * v + self.lam[1] * ve
        return h + v


class EdgeValueModel(nn.Module):
    def __init__(self, vocab=1024, width=96, depth=12, k=3):
        super().__init__()
        self.depth, self.k = depth, k
        self.tok = nn.Embedding(vocab, width)
        self.ve = nn.ModuleList(nn.Embedding(vocab, width) for _ in range(k))
        self.blocks = nn.ModuleList(Block(width) for _ in range(depth))

    def forward(self, ids):
        h = self.tok(ids)
        head = tuple(e(ids) for e in self.ve)
        lookups = head + (None,) * (self.depth - self.k)
        for block, ve in zip(self.blocks, lookups):
            h = block(h, ve)
        return h
