# example: a general schedule helper whose `if` / `elif` branches return a trapezoid or a cosine closure, called with kind="cosine": the trapezoid branch stays in the helper but no call selects it; negative.
import math
import torch


def make_schedule(kind="trapezoid", peak=1.0, total=1, warmup=0, cooldown=0):
    if kind == "trapezoid":
        def trapezoid(it):
            if it < warmup:
                return peak * (it + 1) / warmup
            elif it < total - cooldown:
                return peak
            return peak * (total - it) / cooldown
        return trapezoid
    elif kind == "cosine":
        def cosine(it):
            return 0.5 * (1.0 + math.cos(math.pi * it / total)) * peak
        return cosine
    raise ValueError(kind)


model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)
lr_at = make_schedule(kind="cosine", peak=0.0018, total=6000, warmup=256, cooldown=2000)
for step in range(6000):
    model(torch.randn(8, 64)).square().mean().backward()
    lr = lr_at(step)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
