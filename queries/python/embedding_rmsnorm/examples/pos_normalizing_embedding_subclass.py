# example: the token table is an nn.Embedding subclass whose forward returns the looked-up rows passed through F.rms_norm; the model builds its table from it; positive.

import torch.nn as nn
import torch.nn.functional as F


class UnitEmbedding(nn.Embedding):
    def forward(self, ids):
        rows = super().forward(ids)
        return F.rms_norm(rows, (rows.size(-1),))


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
