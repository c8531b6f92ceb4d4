# example: the multiplier function takes the run's length as a second positional argument (hold_then_decay(step, run.total)), the length a dataclass field; flat at 1, then linear to 0 over the last 1200 steps; positive.
from dataclasses import dataclass

import torch


@dataclass
class Run:
    total: int = 3000
    tail: int = 1200


def hold_then_decay(step, total, tail=1200):
    if step < total - tail:
        return 1.0
    return (total - step) / tail


run = Run()
net = torch.nn.Linear(16, 16)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
peaks = [g["lr"] for g in opt.param_groups]
for step in range(run.total):
    net(torch.randn(4, 16)).square().mean().backward()
    mult = hold_then_decay(step, run.total)
    for g, peak in zip(opt.param_groups, peaks):
        g["lr"] = peak * mult
    opt.step()
    opt.zero_grad(set_to_none=True)
