# example: the same dict rows naming functions of the file, but the cooldown function blends towards a floor of 0.01, a hundredth of the peak; NOT present.
import torch

model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.0)
BASE = [g["lr"] for g in opt.param_groups]
FLOOR = 0.01


def hold(i, n):
    return 1.0


def cool(i, n):
    left = (n - i) / n
    return FLOOR + (1.0 - FLOOR) * left


def set_lr_factor(f):
    for g, b in zip(opt.param_groups, BASE):
        g["lr"] = b * f


PHASES = [dict(steps=1800, lr=hold), dict(steps=1200, lr=cool)]
for phase in PHASES:
    n = phase["steps"]
    for i in range(n):
        set_lr_factor(phase["lr"](i, n))
        model(torch.randn(8, 64)).square().mean().backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
