# example: the optimizers are built through a registry local to the builder (`registry = {"adamw": getattr(torch.optim, "AdamW"), ...}`, walked with `for key in registry:`), but the schedule ramps up over 250 warmup steps; negative.
import torch
from torch import nn


class Hyper:
    lr = 0.0036
    warmup_iters = 250
    total_iters = 5000
    cooldown_iters = 1500


def build_optimizers(model, hp):
    registry = {"adamw": getattr(torch.optim, "AdamW"), "sgd": getattr(torch.optim, "SGD")}
    groups = {"adamw": [model[0].weight], "sgd": [model[1].weight]}
    optimizers = []
    for key in registry:
        optimizers.append(registry[key](groups[key], lr=hp.lr))
    return optimizers


def lr_factor(it):
    if it < Hyper.warmup_iters:
        return (it + 1) / Hyper.warmup_iters
    if it < Hyper.total_iters - Hyper.cooldown_iters:
        return 1.0
    return (Hyper.total_iters - it) / Hyper.cooldown_iters


model = nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 64))
optimizers = build_optimizers(model, Hyper())
schedulers = [torch.optim.lr_scheduler.LambdaLR(opt, lr_factor) for opt in optimizers]
for step in range(Hyper.total_iters):
    model(torch.randn(8, 64)).square().mean().backward()
    for opt, sched in zip(optimizers, schedulers):
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
