# example: near miss - the same name-tagged NamedTuple table, but the head row has the embedding's rate too (0.3 for both); negative (no role-specific gap between the embedding and the head).
from typing import NamedTuple

import torch
import torch.nn as nn


class Hyper(NamedTuple):
    lr: float
    betas: tuple = (0.9, 0.95)
    ortho: bool = False


TABLE = {
    "wte": Hyper(lr=0.3),
    "lm_head": Hyper(lr=0.3),
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
