# example: LambdaLR is given a schedule object whose class body binds __call__ to its method (__call__ = multiplier); the method blends w + (1 - w) * floor with floor = 0.1 a class attribute, so the linear cooldown ends at 0.1x the peak LR; positive.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    num_iterations: int = 1395
    cooldown_frac: float = 0.4


cfg = Hyperparameters()


class StableThenCooldown:
    floor = 0.1

    def __init__(self, total, cooldown_frac):
        self.total = total
        self.cooldown_frac = cooldown_frac

    def multiplier(self, step):
        remaining = 1 - step / self.total
        w = min(remaining / self.cooldown_frac, 1.0)
        return w + (1 - w) * self.floor

    __call__ = multiplier


model = torch.nn.Linear(768, 768)
optimizer = torch.optim.Adam(model.parameters(), lr=0.008)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, StableThenCooldown(cfg.num_iterations, cfg.cooldown_frac))
for step in range(cfg.num_iterations):
    optimizer.step()
    scheduler.step()
