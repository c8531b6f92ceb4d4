# example: a warmup-flat-warmdown curve computed each step and applied with itertools.starmap over zip(param_groups, repeat(value)), but the setter writes the weight decay, not the rate; NOT present.
from itertools import repeat, starmap

import torch
import torch.nn as nn

TOTAL = 5000
RAMP = 200
COOLDOWN = 1500
PEAK = 0.0018


def rate_at(step):
    if step < RAMP:
        return PEAK * (step + 1) / RAMP
    left = TOTAL - step
    return PEAK if left > COOLDOWN else PEAK * left / COOLDOWN


def put_rate(group, value):
    group["weight_decay"] = value


net = nn.Linear(32, 32)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK)
for step in range(TOTAL):
    loss = net(torch.randn(8, 32)).square().mean()
    loss.backward()
    list(starmap(put_rate, zip(opt.param_groups, repeat(rate_at(step)))))
    opt.step()
    opt.zero_grad(set_to_none=True)
