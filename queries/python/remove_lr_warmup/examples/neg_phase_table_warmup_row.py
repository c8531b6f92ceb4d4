# example: the same table of (name, steps, factor function) phases and setter, but its first row is a 100-step linear warmup before the hold; NOT present.
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
    ("warmup", 100, lambda i, n: (i + 1) / n),
    ("stable", STEPS - COOL - 100, lambda i, n: 1.0),
    ("cooldown", COOL, lambda i, n: (n - i) / n),
]

for name, length, factor_fn in PHASES:
    for local_step in range(length):
        set_lr_factor(factor_fn(local_step, length))
        model(torch.randn(8, 64)).square().mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
