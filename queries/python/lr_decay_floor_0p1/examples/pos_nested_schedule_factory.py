# example: make_schedule(cfg) returns a nested multiplier that holds 1.0, then falls linearly by 0.9 over the cooldown so the last step runs at 0.1x the peak; the closure is handed to LambdaLR; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class TrainConfig:
    total_steps: int = 3000
    cooldown_frac: float = 0.45
    lr: float = 3e-3


def make_schedule(cfg):
    total = cfg.total_steps
    decay_start = int(total * (1 - cfg.cooldown_frac))

    def multiplier(step):
        if step < decay_start:
            return 1.0
        progress = (step - decay_start) / (total - decay_start)
        return 1.0 - 0.9 * progress

    return multiplier


def train(model, batches, cfg=TrainConfig()):
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.95))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, make_schedule(cfg))
    for step in range(cfg.total_steps + 1):
        x, y = next(batches)
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        loss.backward()
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
