# example: the same Adam subclass with its property setter, but the hyperparameters warm up over 250 steps; NOT present.
import torch
from torch import nn


class Hyper:
    num_iterations = 3000
    warmup_iters = 250
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


class ScaledAdam(torch.optim.Adam):
    """torch's Adam with a `lr_scale` property that rescales every group from its initial rate."""

    def __init__(self, params, lr):
        super().__init__(params, lr=lr)
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


hp = Hyper()
model = nn.Linear(768, 768)
optimizer = ScaledAdam(model.parameters(), lr=0.0036)
for step in range(hp.num_iterations):
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.lr_scale = hp.lr_multiplier(step)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
