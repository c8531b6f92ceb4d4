# example: the Adam optimizer over head, embedding and scalar groups is built with eps=1e-10; present.
import torch
from torch import nn

model = nn.ModuleDict(dict(
    embed=nn.Embedding(50304, 768),
    lm_head=nn.Linear(768, 50304, bias=False),
))
scalars = nn.Parameter(torch.ones(12))

adam_params = [
    dict(params=[model["lm_head"].weight], lr=0.008),
    dict(params=[model["embed"].weight], lr=0.6),
    dict(params=[scalars], lr=0.04),
]
optimizer1 = torch.optim.Adam(adam_params, betas=(0.8, 0.95), fused=True, eps=1e-10)
