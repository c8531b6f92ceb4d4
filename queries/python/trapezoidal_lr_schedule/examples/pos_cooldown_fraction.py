# example: no warmup, LR multiplier stays 1.0 until the last cooldown_frac of training and then falls linearly (here to a 0.1 floor); positive (flat-then-tail-decay is the trapezoid; the floor is irrelevant).
import torch
import torch.nn as nn

N_STEPS = 1770
COOLDOWN_FRAC = 0.4

layer = nn.Linear(768, 768, bias=False)
opts = [torch.optim.Adam(layer.parameters(), lr=0.008, betas=(0.8, 0.95))]
base = [[g["lr"] for g in o.param_groups] for o in opts]


def lr_mult(step):
    progress = step / N_STEPS
    if progress < 1 - COOLDOWN_FRAC:
        return 1.0
    w = (1 - progress) / COOLDOWN_FRAC
    return w * 1.0 + (1 - w) * 0.1


for step in range(N_STEPS):
    layer(torch.randn(2, 768)).mean().backward()
    m = lr_mult(step)
    for o, lrs in zip(opts, base):
        for g, lr0 in zip(o.param_groups, lrs):
            g["lr"] = lr0 * m
        o.step()
    layer.zero_grad(set_to_none=True)
