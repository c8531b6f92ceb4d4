# example: positive - each parameter is tagged with the first part of its own name (`p.group = n.split(".")[0]`), a table of NamedTuple rows keyed by those names sets absolute rates, and a torch Adam is built per tagged bucket from its row: the embedding at 0.3, the untied head at 0.002.
from typing import NamedTuple

import torch
import torch.nn as nn


class Hyper(NamedTuple):
    lr: float
    betas: tuple = (0.9, 0.95)
    ortho: bool = False


TABLE = {
    "wte": Hyper(lr=0.3),
    "lm_head": Hyper(lr=0.002),
    "h": Hyper(lr=0.02, ortho=True),
}


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.h = nn.ModuleList(nn.Linear(dim, dim, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        for n, p in self.named_parameters():
            p.group = n.split(".")[0]

    def forward(self, idx):
        x = self.wte(idx)
        for layer in self.h:
            x = x + layer(x).relu()
        return self.lm_head(x)


def build_optimizers(model):
    buckets = {}
    for p in model.parameters():
        buckets.setdefault(p.group, []).append(p)
    optimizers = []
    for name, params in buckets.items():
        hp = TABLE[name]
        if hp.ortho:
            optimizers.append(torch.optim.SGD(params, lr=hp.lr, momentum=0.95, nesterov=True))
        else:
            optimizers.append(torch.optim.Adam(params, lr=hp.lr, betas=hp.betas))
    return optimizers


model = GPT()
opts = build_optimizers(model)
for step in range(3):
    model(torch.randint(0, 50304, (2, 16))).float().logsumexp(-1).mean().backward()
    for o in opts:
        o.step()
