# example: a schedule object's class has a floored method (w + (1 - w) * 0.1), but its body binds __call__ to the plain cooldown to zero, which is what LambdaLR runs; negative.
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

    def plain(self, step):
        return min((1 - step / self.total) / self.cooldown_frac, 1.0)

    __call__ = plain


model = torch.nn.Linear(768, 768)
optimizer = torch.optim.Adam(model.parameters(), lr=0.008)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, StableThenCooldown(cfg.num_iterations, cfg.cooldown_frac))
for step in range(cfg.num_iterations):
    optimizer.step()
    scheduler.step()
