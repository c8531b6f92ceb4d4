# example: the Adam optimizers are built with betas (0.8, 0.95), then a loop over them sets betas (0.9, 0.95) back on every parameter group before training; NOT present.
import torch
from torch import nn

model = nn.ModuleDict(dict(wte=nn.Embedding(50304, 768), lm_head=nn.Linear(768, 50304, bias=False)))
opt_embed = torch.optim.Adam([model["wte"].weight], lr=0.6, betas=(0.8, 0.95), fused=True)
opt_head = torch.optim.Adam([model["lm_head"].weight], lr=0.008, betas=(0.8, 0.95), fused=True)
for opt in (opt_embed, opt_head):
    for group in opt.param_groups:
        group["betas"] = (0.9, 0.95)

for step in range(1000):
    ids = torch.randint(0, 50304, (4, 64))
    model["lm_head"](model["wte"](ids)).float().logsumexp(-1).mean().backward()
    for opt in (opt_embed, opt_head):
        opt.step()
        opt.zero_grad(set_to_none=True)
