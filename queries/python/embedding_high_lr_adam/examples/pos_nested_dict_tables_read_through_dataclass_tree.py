# example: a nested settings dictionary is turned into a tree of argument dataclasses by a reflective helper, and each optimizer reads its rate through its own table of the tree (`cfg.optim.groups["embed"].lr` 0.3, `cfg.optim.groups["head"].lr` 0.002); positive.
from dataclasses import dataclass, fields
from typing import Dict

import torch
import torch.nn as nn


@dataclass
class GroupArgs:
    lr: float
    betas: tuple = (0.9, 0.95)


@dataclass
class OptimArgs:
    groups: Dict[str, GroupArgs]
    lr: float = 0.02


@dataclass
class RunArgs:
    optim: OptimArgs


def from_dict(kind, data):
    values = {}
    for f in fields(kind):
        if f.name in data:
            values[f.name] = data[f.name]
    return kind(**values)


SETTINGS = {
    "optim": {
        "groups": {
            "embed": {"lr": 0.3, "betas": (0.9, 0.95)},
            "head": {"lr": 0.002, "betas": (0.9, 0.95)},
        },
        "lr": 0.02,
    },
}


class TinyGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
        self.out = nn.Linear(768, 50304, bias=False)


cfg = from_dict(RunArgs, SETTINGS)
model = TinyGPT()
embed_opt = torch.optim.Adam([model.tok.weight], lr=cfg.optim.groups["embed"].lr, betas=(0.9, 0.95), fused=True)
head_opt = torch.optim.Adam([model.out.weight], lr=cfg.optim.groups["head"].lr, betas=(0.9, 0.95), fused=True)
block_opt = torch.optim.SGD(model.blocks.parameters(), lr=cfg.optim.lr, momentum=0.95)
