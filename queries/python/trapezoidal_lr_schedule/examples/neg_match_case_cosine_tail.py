# example: the same match statement, but the last case decays along a half cosine instead of a straight line; negative (warmup-hold-cosine is not the trapezoid).
import math
import torch
import torch.nn as nn

STEPS = 4800
RAMP_UP = 200
RAMP_DOWN = 1600

layer = nn.Linear(256, 256)
opt = torch.optim.AdamW(layer.parameters(), lr=2e-3, betas=(0.9, 0.95))


def lr_factor(step: int) -> float:
    match step:
        case n if n < RAMP_UP:
            return (n + 1) / RAMP_UP
        case n if n <= STEPS - RAMP_DOWN:
            return 1.0
        case n:
            progress = (n - (STEPS - RAMP_DOWN)) / RAMP_DOWN
            return 0.5 * (1.0 + math.cos(math.pi * progress))


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
for _ in range(STEPS):
    layer(torch.randn(8, 256)).square().mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
