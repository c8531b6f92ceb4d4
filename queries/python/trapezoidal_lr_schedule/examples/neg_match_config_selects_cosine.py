# example: a trapezoid and a cosine schedule chosen by a match on the configured schedule name, which selects the cosine; negative (the trapezoid case never runs).
import math
import torch
import torch.nn as nn

SCHEDULE = "cosine"
STEPS = 4800
RAMP_UP = 200
RAMP_DOWN = 1600

layer = nn.Linear(256, 256)
opt = torch.optim.AdamW(layer.parameters(), lr=2e-3, betas=(0.9, 0.95))

match SCHEDULE:
    case "trapezoid":
        def lr_factor(step):
            return min((step + 1) / RAMP_UP, 1.0, (STEPS - step) / RAMP_DOWN)
    case "cosine":
        def lr_factor(step):
            return 0.5 * (1.0 + math.cos(math.pi * step / STEPS))
    case _:
        raise ValueError(SCHEDULE)

sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_factor)
for _ in range(STEPS):
    layer(torch.randn(8, 256)).square().mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
