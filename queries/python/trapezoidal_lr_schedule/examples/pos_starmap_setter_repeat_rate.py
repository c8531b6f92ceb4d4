# example: the rate of each step written by a small setter applied with itertools.starmap over zip(param_groups, repeat(rate)); warmup, flat, linear warmdown; positive.
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
    group["lr"] = value


net = nn.Linear(32, 32)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK)
for step in range(TOTAL):
    loss = net(torch.randn(8, 32)).square().mean()
    loss.backward()
    list(starmap(put_rate, zip(opt.param_groups, repeat(rate_at(step)))))
    opt.step()
    opt.zero_grad(set_to_none=True)
