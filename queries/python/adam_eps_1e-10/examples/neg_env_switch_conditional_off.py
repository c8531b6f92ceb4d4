# example: the same conditional with the switch defaulting to "0": the script runs with eps 1e-8; negative.

import os

import torch
from torch import nn

SMALL_EPS = os.environ.get("SMALL_EPS", "0") == "1"

model = nn.ModuleDict({"embed": nn.Embedding(50304, 768), "lm_head": nn.Linear(768, 50304, bias=False)})
optimizer = torch.optim.Adam(
    [{"params": [model["lm_head"].weight], "lr": 0.008},
     {"params": [model["embed"].weight], "lr": 0.6}],
    betas=(0.8, 0.95), eps=1e-10 if SMALL_EPS else 1e-8,
)
