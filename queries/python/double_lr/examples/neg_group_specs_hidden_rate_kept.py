# example: the same per-group specs and builder table, but the hidden matrices keep the old rate 0.02: not every rate is doubled; negative.
from collections import OrderedDict

import torch
from torch import nn
from muon import Muon

SETUP = {"optim": {
    "embed": {"kind": "adam", "lr": 0.6, "betas": (0.9, 0.95)},
    "head": {"kind": "adam", "lr": 0.008, "betas": (0.9, 0.95)},
    "hidden": {"kind": "muon", "lr": 0.02, "momentum": 0.95},
    "scalar": {"kind": "adam", "lr": 0.04, "betas": (0.9, 0.95)},
}}


class Net(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=12):
        super().__init__()
        self.body = nn.ModuleDict(OrderedDict(
            tok=nn.Embedding(vocab, width),
            layers=nn.ModuleList([nn.Linear(width, width, bias=False) for _ in range(depth)]),
        ))
        self.readout = nn.Linear(width, vocab, bias=False)
        self.gains = nn.Parameter(torch.ones(depth))


net = Net()
by_name = dict(net.named_parameters())
buckets = {
    "embed": [p for n, p in by_name.items() if n.startswith("body.tok.")],
    "head": [p for n, p in by_name.items() if n.startswith("readout.")],
    "hidden": [p for n, p in by_name.items() if n.startswith("body.layers.") and p.ndim == 2],
    "scalar": [p for n, p in by_name.items() if n.startswith("gains") or (n.startswith("body.layers.") and p.ndim < 2)],
}
factories = {
    "adam": lambda ps, spec: torch.optim.Adam(ps, lr=spec["lr"], betas=spec["betas"]),
    "muon": lambda ps, spec: Muon(ps, lr=spec["lr"], momentum=spec["momentum"]),
}
opts = {g: factories[SETUP["optim"][g]["kind"]](ps, SETUP["optim"][g]) for g, ps in buckets.items()}
