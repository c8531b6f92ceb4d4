# example: the same decorator factory reshaping a flat multiplier, but the decorator line gives a ramp of 250 steps, so training still warms up; NOT present.
import functools

import torch

TOTAL_STEPS = 3000
COOLDOWN = 900


def shaped(total, ramp, fall):
    def decorate(curve):
        @functools.wraps(curve)
        def at(step):
            base = curve(step)
            if step < ramp:
                return base * (step + 1) / ramp
            if step < total - fall:
                return base
            return base * (total - step) / fall
        return at
    return decorate


@shaped(total=TOTAL_STEPS, ramp=250, fall=COOLDOWN)
def multiplier(step):
    return 1.0


net = torch.nn.Linear(32, 32)
opt = torch.optim.AdamW(net.parameters(), lr=3.6e-3, betas=(0.9, 0.95), weight_decay=0.0)
for group in opt.param_groups:
    group["peak"] = group["lr"]
for step in range(TOTAL_STEPS + 1):
    for group in opt.param_groups:
        group["lr"] = group["peak"] * multiplier(step)
    net(torch.randn(4, 32)).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
