# example: a general schedule helper with several kinds picks its inner function from a dictionary by the kind a setting gives (`return table[kind]`), here "trapezoid": warmup, a plateau, then a linear warmdown to zero over the last 2000 steps; the cosine kind stays unused in the helper; positive.
import math
import torch

LR_KIND = "trapezoid"


def make_schedule(kind, peak, total, warmup=0, cooldown=0):
    def _cosine(it):
        return 0.5 * (1.0 + math.cos(math.pi * it / total)) * peak

    def _trapezoid(it):
        if it < warmup:
            return peak * (it + 1) / warmup
        elif it < total - cooldown:
            return peak
        return peak * (total - it) / cooldown

    table = {"cosine": _cosine, "trapezoid": _trapezoid}
    if kind not in table:
        raise ValueError(kind)
    return table[kind]


model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018)
lr_at = make_schedule(LR_KIND, peak=0.0018, total=6000, warmup=256, cooldown=2000)
for step in range(6000):
    model(torch.randn(8, 64)).square().mean().backward()
    lr = lr_at(step)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
