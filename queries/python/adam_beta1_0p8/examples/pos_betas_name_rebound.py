# example: the betas name is set to (0.9, 0.95) and rebound to (0.8, ab[1]) before every Adam reads it; Adam beta1 0.8 is present.
import torch
from torch import nn

model = nn.ModuleDict(dict(
    wte=nn.Embedding(50304, 768),
    h=nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(4)]),
    lm_head=nn.Linear(768, 50304, bias=False),
))
skip_weights = nn.Parameter(torch.ones(2))

ab = (0.9, 0.95)
ab = (0.8, ab[1])
opt_embed = torch.optim.Adam([model["wte"].weight], lr=0.6, betas=ab, fused=True)
opt_head = torch.optim.Adam([model["lm_head"].weight], lr=0.008, betas=ab, fused=True)
opt_scalar = torch.optim.Adam([skip_weights], lr=0.04, betas=ab, fused=True)
optimizers = [opt_embed, opt_head, opt_scalar]
