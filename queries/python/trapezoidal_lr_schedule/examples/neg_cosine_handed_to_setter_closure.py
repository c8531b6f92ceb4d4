# example: the same setter closure takes its schedule as a parameter, but the factory it is given returns a warmup then cosine decay closure (no plateau, no linear slide); negative.
import math

import torch

TOTAL, WARMUP, PEAK = 6000, 200, 0.0018


def make_schedule(peak, total, warmup):
    span = total - warmup

    def at(step):
        if step < warmup:
            return peak * (step + 1) / warmup
        return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / span))

    return at


def make_setter(opt, schedule):
    def apply(step):
        rate = schedule(step)
        for group in opt.param_groups:
            group["lr"] = rate
        return rate

    return apply


model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=PEAK)
lr_of = make_schedule(PEAK, TOTAL, WARMUP)
apply_lr = make_setter(opt, lr_of)
for step in range(TOTAL):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    apply_lr(step)
    opt.step()
    opt.zero_grad(set_to_none=True)
