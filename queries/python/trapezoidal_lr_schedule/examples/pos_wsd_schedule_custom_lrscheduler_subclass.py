# example: WSD schedule as a custom LRScheduler subclass (get_lr over base_lrs), configured from a dataclass; positive.
from dataclasses import dataclass

import torch
from torch.optim.lr_scheduler import LRScheduler


@dataclass
class Sched:
    total_steps: int = 5100
    warmup_steps: int = 200
    decay_steps: int = 1500


class WarmupStableDecay(LRScheduler):
    def __init__(self, optimizer, cfg: Sched, last_epoch: int = -1):
        self.cfg = cfg
        super().__init__(optimizer, last_epoch)

    def factor(self, t: int) -> float:
        c = self.cfg
        if t < c.warmup_steps:
            return t / c.warmup_steps
        stable_end = c.total_steps - c.decay_steps
        if t <= stable_end:
            return 1.0
        return 1.0 - (t - stable_end) / c.decay_steps

    def get_lr(self):
        f = self.factor(self.last_epoch)
        return [base * f for base in self.base_lrs]


cfg = Sched()
model = torch.nn.Linear(1024, 1024, bias=False)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
scheduler = WarmupStableDecay(opt, cfg)
for _ in range(cfg.total_steps):
    model(torch.randn(4, 1024)).sum().backward()
    opt.step()
    scheduler.step()
    opt.zero_grad()
