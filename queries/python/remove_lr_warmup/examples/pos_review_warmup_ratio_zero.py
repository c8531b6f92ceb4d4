# example: dataclass warmup_ratio = 0.0 turned into warmup_steps = int(ratio * max_steps); the schedule's warmup branch is dead, so LambdaLR starts at the peak then decays over the last 30%; positive.
from dataclasses import dataclass

import torch


@dataclass
class SchedConfig:
    max_steps: int = 3000
    warmup_ratio: float = 0.0
    decay_ratio: float = 0.3


cfg = SchedConfig()
warmup_steps = int(cfg.warmup_ratio * cfg.max_steps)
decay_steps = int(cfg.decay_ratio * cfg.max_steps)


def multiplier(step):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step < cfg.max_steps - decay_steps:
        return 1.0
    return (cfg.max_steps - step) / decay_steps


model = torch.nn.Linear(128, 128)
opt = torch.optim.Adam(model.parameters(), lr=3.6e-3, betas=(0.9, 0.95))
sched = torch.optim.lr_scheduler.LambdaLR(opt, multiplier)
for step in range(cfg.max_steps):
    model(torch.randn(8, 128)).square().mean().backward()
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
