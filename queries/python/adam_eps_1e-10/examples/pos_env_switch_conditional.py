# example: the epsilon is chosen by an environment switch in a conditional expression, `1e-10 if ... else 1e-8`, the switch's default selecting 1e-10; positive.

import os

import torch
from torch import nn

SMALL_EPS = os.environ.get("SMALL_EPS", "1") == "1"

model = nn.ModuleDict({"embed": nn.Embedding(50304, 768), "lm_head": nn.Linear(768, 50304, bias=False)})
optimizer = torch.optim.Adam(
    [{"params": [model["lm_head"].weight], "lr": 0.008},
     {"params": [model["embed"].weight], "lr": 0.6}],
    betas=(0.8, 0.95), eps=1e-10 if SMALL_EPS else 1e-8,
)
