# example: near miss - the same MappingProxyType options spread into every Adam, but beta1 stays 0.9; negative.
import types

import torch
from torch import nn

ADAM_COMMON = types.MappingProxyType({"betas": (0.9, 0.95), "fused": True})

embed = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
embed_opt = torch.optim.Adam(embed.parameters(), lr=0.6, **ADAM_COMMON)
head_opt = torch.optim.Adam(head.parameters(), lr=0.008, **ADAM_COMMON)
