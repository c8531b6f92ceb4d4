# example: near miss - eps 1e-10 sits in the ChainMap layer behind the defaults, whose eps 1e-8 a lookup finds first; negative.
from collections import ChainMap
from types import MappingProxyType

import torch
from torch import nn

ADAM_OPTS = ChainMap(
    MappingProxyType({"betas": (0.8, 0.95), "fused": True, "eps": 1e-8}),
    MappingProxyType({"eps": 1e-10}),
)

lm_head = nn.Linear(768, 50304, bias=False)
opt_head = torch.optim.Adam([lm_head.weight], lr=0.008, **ADAM_OPTS)
