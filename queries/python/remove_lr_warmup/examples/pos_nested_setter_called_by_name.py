# example: the loop computes a multiplier with a helper taking the step and the run length by position and the warmup length by keyword (0), then hands it to a nested `set_scale` function that writes every group's rate; the rate starts at its peak; positive.
import torch
from torch import nn


def multiplier(step, total, warm=10, cool=10):
    if warm > 0 and step < warm:
        return (step + 1) / warm
    if step < total - cool:
        return 1.0
    return (total - step) / cool


def main():
    model = nn.Linear(768, 768).cuda()
    optimizers = [torch.optim.Adam(model.parameters(), lr=3e-3)]
    for opt in optimizers:
        for g in opt.param_groups:
            g["base_lr"] = g["lr"]

    def set_scale(factor):
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * factor

    total_steps = 3000
    for step in range(total_steps):
        model(torch.randn(8, 768, device="cuda")).square().mean().backward()
        scale = multiplier(step, total_steps, warm=0, cool=900)
        set_scale(scale)
        for opt in optimizers:
            opt.step()
            opt.zero_grad(set_to_none=True)


main()
