# example: Adam options collected in a dict (betas, eps, fused=True) and unpacked into three torch.optim.Adam constructors; positive (fused reached through **kwargs).
import torch
from torch import nn

ADAM_KW = dict(betas=(0.9, 0.95), eps=1e-8, fused=True)

wte = nn.Embedding(50304, 768).cuda()
lm_head = nn.Linear(768, 50304, bias=False).cuda()
scalars = [nn.Parameter(torch.tensor(0.5, device="cuda")) for _ in range(12)]

opt_embed = torch.optim.Adam([wte.weight], lr=0.6, **ADAM_KW)
opt_head = torch.optim.Adam([lm_head.weight], lr=0.008, **ADAM_KW)
opt_scalar = torch.optim.Adam(scalars, lr=0.04, **ADAM_KW)
all_opts = (opt_embed, opt_head, opt_scalar)

for _ in range(3):
    tok = torch.randint(0, 50304, (2, 32), device="cuda")
    h = wte(tok) * sum(scalars)
    lm_head(h).float().logsumexp(-1).mean().backward()
    for o in all_opts:
        o.step()
        o.zero_grad(set_to_none=True)
