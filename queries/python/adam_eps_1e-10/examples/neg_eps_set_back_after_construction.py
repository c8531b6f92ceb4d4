# example: the Adam holding the head is built with eps=1e-10, then every param group is set back to eps 1e-8 before training; NOT present.
import torch
from torch import nn

lm_head = nn.Linear(768, 50304, bias=False)
embed = nn.Embedding(50304, 768)
adam = torch.optim.Adam([dict(params=[lm_head.weight], lr=0.008), dict(params=[embed.weight], lr=0.6)],
                        betas=(0.8, 0.95), eps=1e-10)
for group in adam.param_groups:
    group["eps"] = 1e-8
