# example: one Adam, eps=1e-10 only on the embedding/scalar group; the lm_head group keeps the default (the constructor eps is 1e-8), so the head's eps is unchanged; negative.
import torch
from torch import nn

lm_head = nn.Linear(768, 50304, bias=False)
embed = nn.Embedding(50304, 768)
scalars = nn.Parameter(torch.ones(12))
adam = torch.optim.Adam(
    [
        {"params": [lm_head.weight], "lr": 0.008},
        {"params": [embed.weight], "lr": 0.6, "eps": 1e-10},
        {"params": [scalars], "lr": 0.04, "eps": 1e-10},
    ],
    betas=(0.8, 0.95),
    eps=1e-8,
)
