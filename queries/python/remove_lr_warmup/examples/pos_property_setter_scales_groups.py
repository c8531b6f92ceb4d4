# example: the rate is written by a property setter of a wrapper around the optimizers (`opt.lr_scale = hp.lr_multiplier(step)`, the setter scaling every group's initial_lr), and the multiplier is a method of the hyperparameter object reading its own fields (warmup 0, then flat, then a linear warmdown); positive.
import torch
from torch import nn


class Hyper:
    num_iterations = 3000
    warmup_iters = 0
    warmdown_iters = 900

    @property
    def warmdown_start(self):
        return self.num_iterations - self.warmdown_iters

    def lr_multiplier(self, it):
        if it < self.warmup_iters:
            return (it + 1) / self.warmup_iters
        if it < self.warmdown_start:
            return 1.0
        return (self.num_iterations - it) / self.warmdown_iters


class OptimizerBundle:
    """Steps several optimizers as one; `lr_scale` rescales every group from its initial rate."""

    def __init__(self, *optimizers):
        self.optimizers = optimizers
        self.param_groups = [g for o in optimizers for g in o.param_groups]
        for group in self.param_groups:
            group["initial_lr"] = group["lr"]
        self._lr_scale = 1.0

    @property
    def lr_scale(self):
        return self._lr_scale

    @lr_scale.setter
    def lr_scale(self, value):
        self._lr_scale = value
        for group in self.param_groups:
            group["lr"] = group["initial_lr"] * value

    def step(self):
        for o in self.optimizers:
            o.step()

    def zero_grad(self, set_to_none=True):
        for o in self.optimizers:
            o.zero_grad(set_to_none=set_to_none)


hp = Hyper()
model = nn.Linear(768, 768)
optimizer = OptimizerBundle(torch.optim.Adam(model.parameters(), lr=0.0036))
for step in range(hp.num_iterations):
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.lr_scale = hp.lr_multiplier(step)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
