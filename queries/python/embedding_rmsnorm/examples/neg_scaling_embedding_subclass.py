# example: the same subclass, but its forward only scales the looked-up rows by a constant (no norm); negative.

import torch.nn as nn
import torch.nn.functional as F


class UnitEmbedding(nn.Embedding):
    def forward(self, ids):
        rows = super().forward(ids)
        return rows * 0.5


class Model(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.tok = UnitEmbedding(vocab, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))

    def forward(self, ids):
        x = self.tok(ids)
        for block in self.blocks:
            x = x + block(x)
        return x
