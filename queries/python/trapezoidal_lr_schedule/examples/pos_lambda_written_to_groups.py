# example: a notebook keeps the schedule in a lambda (ramp over 120 steps times a plateau that turns into a linear cooldown over the last 40%) and writes each group's rate by hand from a stored base rate; positive.

import torch

N_ITERS = 1770
WARM = 120

model = torch.nn.Linear(768, 768)
opt = torch.optim.Adam(model.parameters(), lr=0.008, betas=(0.8, 0.95))
for g in opt.param_groups:
    g["base"] = g["lr"]

lr_at = lambda it: min(1.0, (it + 1) / WARM) * (1.0 if it < 0.6 * N_ITERS else (N_ITERS - it) / (0.4 * N_ITERS))

for it in range(N_ITERS):
    model(torch.randn(4, 768)).square().mean().backward()
    for g in opt.param_groups:
        g["lr"] = g["base"] * lr_at(it)
    opt.step()
    opt.zero_grad(set_to_none=True)
