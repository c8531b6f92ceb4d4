# example: the schedule function takes its phase lengths as keywords bound with functools.partial (warmup 256, stable 5744, decay 2000) and never sees the total; the run is the loop's 8000 steps; positive.

from functools import partial

import torch
from torch.optim.lr_scheduler import LambdaLR


def warmup_stable_decay(step, warmup_steps, stable_steps, decay_steps, floor):
    if step < warmup_steps:
        return (step + 1) / (warmup_steps + 1)
    if step < warmup_steps + stable_steps:
        return 1.0
    progress = (step - warmup_steps - stable_steps) / decay_steps
    return floor + (1.0 - floor) * max(0.0, 1.0 - progress)


model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
shape = partial(warmup_stable_decay, warmup_steps=256, stable_steps=5744, decay_steps=2000, floor=0.0)
sched = LambdaLR(opt, lr_lambda=shape)
for step in range(8000):
    model(torch.randn(2, 64)).sum().backward()
    opt.step()
    sched.step()
    opt.zero_grad()
