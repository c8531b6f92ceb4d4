# example: shared Adam options held read-only in a types.MappingProxyType with betas (0.8, 0.95), spread into every Adam; positive.
import types

import torch
from torch import nn

ADAM_COMMON = types.MappingProxyType({"betas": (0.8, 0.95), "fused": True})

embed = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
embed_opt = torch.optim.Adam(embed.parameters(), lr=0.6, **ADAM_COMMON)
head_opt = torch.optim.Adam(head.parameters(), lr=0.008, **ADAM_COMMON)
