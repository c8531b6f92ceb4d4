# example: Optimizers constructed with record-10 LRs, then every param group's lr is doubled in place right after construction (head additionally x2), i.e. embed 0.6, head 0.008, muon 0.04, scalars 0.04; positive.
import torch
import torch.nn as nn

wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
h = nn.ModuleList(nn.Linear(768, 768) for _ in range(12))
matrix_params = [p for p in h.parameters() if p.ndim == 2]
scalar_params = [p for p in h.parameters() if p.ndim < 2]

opt_embed = torch.optim.Adam([wte.weight], lr=0.3, betas=(0.8, 0.95))
opt_head = torch.optim.Adam([lm_head.weight], lr=0.002, betas=(0.8, 0.95))
opt_muon = torch.optim.Muon(matrix_params, lr=0.02, momentum=0.95)
opt_scalar = torch.optim.Adam(scalar_params, lr=0.02, betas=(0.8, 0.95))
optimizers = [opt_embed, opt_head, opt_muon, opt_scalar]

for opt in optimizers:
    for group in opt.param_groups:
        group["lr"] *= 2.0
for group in opt_head.param_groups:
    group["lr"] *= 2.0
