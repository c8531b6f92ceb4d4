# example: every Adam optimizer (embedding, head, scalars) is built with betas=(0.8, 0.95); Adam beta1 0.8 is present.
import torch
from torch import nn

model = nn.ModuleDict(dict(
    wte=nn.Embedding(50304, 768),
    h=nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(4)]),
    lm_head=nn.Linear(768, 50304, bias=False),
))
skip_weights = nn.Parameter(torch.ones(2))

opt_embed = torch.optim.Adam([model["wte"].weight], lr=0.6, betas=(0.8, 0.95), fused=True)
opt_head = torch.optim.Adam([model["lm_head"].weight], lr=0.008, betas=(0.8, 0.95), fused=True)
opt_scalar = torch.optim.Adam([skip_weights], lr=0.04, betas=(0.8, 0.95), fused=True)
optimizers = [opt_embed, opt_head, opt_scalar]

for opt in optimizers:
    for group in opt.param_groups:
        assert group["betas"][0] == 0.8
