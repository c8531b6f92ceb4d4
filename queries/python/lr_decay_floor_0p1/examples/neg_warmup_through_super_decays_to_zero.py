# example: the same hierarchy with its warmup through `super().factor(step)` and an annotated builder, but the cooldown runs down to zero (`final_ratio` 0.0); NOT present.
import torch
from torch import nn

class Scheduler:
    def __init__(self, max_steps):
        self.max_steps = max_steps

    def factor(self, step):
        return min(1.0, (step + 1) / 10)

    def apply(self, optimizers, step):
        f = self.factor(step)
        for opt in optimizers:
            for g in opt.param_groups:
                g["lr"] = g["initial_lr"] * f
        return f

class LinearWithFloor(Scheduler):
    def __init__(self, max_steps, cooldown_fraction, final_ratio):
        super().__init__(max_steps)
        self.cooldown_fraction, self.final_ratio = cooldown_fraction, final_ratio

    def factor(self, step):
        if step < 10:
            return super().factor(step)
        t = 1.0 - step / self.max_steps
        w = min(t / self.cooldown_fraction, 1.0)
        return w * 1.0 + (1.0 - w) * self.final_ratio

net = nn.Linear(8, 8)
opt = torch.optim.Adam(net.parameters(), lr=0.008)
def build(max_steps) -> Scheduler:
    return LinearWithFloor(max_steps, 0.4, 0.0)


sched = build(1000)
for step in range(1000):
    net(torch.randn(2, 8)).sum().backward()
    sched.apply([opt], step)
    opt.step()
