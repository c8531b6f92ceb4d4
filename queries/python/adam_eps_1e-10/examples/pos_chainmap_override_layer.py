# example: Adam options in a ChainMap of read-only layers, the override layer {eps: 1e-10} first over defaults with eps 1e-8, spread into Adam; positive.
from collections import ChainMap
from types import MappingProxyType

import torch
from torch import nn

ADAM_OPTS = ChainMap(
    MappingProxyType({"eps": 1e-10}),
    MappingProxyType({"betas": (0.8, 0.95), "fused": True, "eps": 1e-8}),
)

lm_head = nn.Linear(768, 50304, bias=False)
opt_head = torch.optim.Adam([lm_head.weight], lr=0.008, **ADAM_OPTS)
