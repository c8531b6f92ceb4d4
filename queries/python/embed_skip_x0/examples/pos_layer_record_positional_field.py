# example: positive - the model builds a NamedTuple per layer holding the normalized embedding (filled by position) and two gains; every block mixes the record's embedding into its input (`x = inp.a * x + inp.b * inp.base`).
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerInput(NamedTuple):
    base: torch.Tensor
    a: torch.Tensor
    b: torch.Tensor


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, inp: LayerInput):
        x = inp.a * x + inp.b * inp.base
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class Model(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(depth))
        self.gains = nn.Parameter(torch.tensor([[1.0, 0.0]] * depth))
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        e = F.rms_norm(self.emb(idx), (self.emb.embedding_dim,))
        x = e
        for i, block in enumerate(self.blocks):
            x = block(x, LayerInput(e, self.gains[i, 0], self.gains[i, 1]))
        return self.head(F.rms_norm(x, (x.size(-1),)))
