# example: the same LRScheduler subclass with a 250-step linear warmup before the hold; NOT present.
import torch
from torch.optim.lr_scheduler import LRScheduler

TOTAL_STEPS = 4000


class HoldThenCooldown(LRScheduler):
    def __init__(self, optimizer, total_steps, cooldown_frac=0.4, floor=0.1, last_epoch=-1):
        self.total_steps = total_steps
        self.cooldown_frac = cooldown_frac
        self.floor = floor
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        remaining = 1.0 - min(self.last_epoch, self.total_steps) / self.total_steps
        w = min(remaining / self.cooldown_frac, 1.0)
        factor = w + (1.0 - w) * self.floor
        if self.last_epoch < 250:
            factor = (self.last_epoch + 1) / 250
        return [base_lr * factor for base_lr in self.base_lrs]


model = torch.nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=0.0036, weight_decay=0.0)
scheduler = HoldThenCooldown(optimizer, TOTAL_STEPS, cooldown_frac=0.4, floor=0.1)
for step in range(TOTAL_STEPS):
    model(torch.randn(8, 768)).square().mean().backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
