# example: lightning-style module; configure_optimizers returns a LambdaLR over a method that warms up, holds the peak, then decays linearly over the last cooldown_frac of max_steps (dataclass config); positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class OptimConfig:
    lr: float = 3e-3
    max_steps: int = 4000
    warmup_steps: int = 100
    cooldown_frac: float = 0.3


cfg = OptimConfig()


class LitLM(nn.Module):
    def __init__(self, config: OptimConfig):
        super().__init__()
        self.config = config
        self.net = nn.Linear(512, 512)

    def lr_factor(self, step: int) -> float:
        c = self.config
        if step < c.warmup_steps:
            return (step + 1) / c.warmup_steps
        decay_start = int(c.max_steps * (1 - c.cooldown_frac))
        if step < decay_start:
            return 1.0
        return max(0.0, (c.max_steps - step) / (c.max_steps - decay_start))

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.config.lr, betas=(0.9, 0.95))
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda=self.lr_factor)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


module = LitLM(cfg)
setup = module.configure_optimizers()
opt, sched = setup["optimizer"], setup["lr_scheduler"]["scheduler"]
for step in range(cfg.max_steps):
    module.net(torch.randn(8, 512)).square().mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
