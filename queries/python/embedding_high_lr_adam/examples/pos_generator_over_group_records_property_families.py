# example: positive - a property of the model returns its parameter families in a dict, and a generator over NamedTuple records builds one Adam per record from `families[rec.family]` at `rec.lr`: the embedding at 0.3, the head at 0.002.
from typing import NamedTuple

import torch
import torch.nn as nn


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.trunk = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.unembed = nn.Linear(d, vocab, bias=False)

    @property
    def families(self):
        return {"tok": self.embed.parameters(), "out": self.unembed.parameters(), "mid": self.trunk.parameters()}


class Group(NamedTuple):
    family: str
    lr: float


lm = LM()
families = lm.families
optimizers = [
    *(torch.optim.Adam(families[rec.family], lr=rec.lr, betas=(0.9, 0.95)) for rec in (Group("tok", 0.3), Group("out", lr=0.002))),
    torch.optim.SGD(families["mid"], lr=0.02, momentum=0.95),
]
