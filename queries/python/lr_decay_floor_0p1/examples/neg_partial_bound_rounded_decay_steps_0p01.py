# example: the same partial-bound schedule with a round()ed decay length, but blending down to min_lr=0.01; NOT present.
import functools

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR


def linear_warmup_stable_decay(current_step, warmup_steps, stable_steps, decay_steps, min_lr):
    if current_step < warmup_steps:
        return (current_step + 1) / warmup_steps
    if current_step < warmup_steps + stable_steps:
        return 1.0
    w = 1.0 - min((current_step - warmup_steps - stable_steps) / decay_steps, 1.0)
    return w + (1.0 - w) * min_lr


steps = 1390
decay_steps = round(steps * 0.4)
net = nn.Linear(768, 768)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
lr_fn = functools.partial(linear_warmup_stable_decay, warmup_steps=0, stable_steps=steps - decay_steps,
                          decay_steps=decay_steps, min_lr=0.01)
sched = LambdaLR(opt, lr_fn)
for step in range(steps):
    net(torch.randn(4, 768)).square().mean().backward()
    opt.step()
    sched.step()
