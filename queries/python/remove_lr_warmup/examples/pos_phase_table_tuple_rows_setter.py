# example: training runs as a table of (name, steps, factor function) phases unpacked by the loop header; the factor of the step within the phase goes to a setter that scales each group's peak rate: a hold from the first step, then a linear fall; no warmup; positive.
import torch

model = torch.nn.Linear(64, 64)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for group in opt.param_groups:
    group["peak_lr"] = group["lr"]


def set_lr_factor(factor):
    for group in opt.param_groups:
        group["lr"] = group["peak_lr"] * factor


STEPS, COOL = 2400, 800
PHASES = [
    ("stable", STEPS - COOL, lambda i, n: 1.0),
    ("cooldown", COOL, lambda i, n: (n - i) / n),
]

for name, length, factor_fn in PHASES:
    for local_step in range(length):
        set_lr_factor(factor_fn(local_step, length))
        model(torch.randn(8, 64)).square().mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
