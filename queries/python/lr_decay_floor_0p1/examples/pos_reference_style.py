# example: the LambdaLR multiplier is w + (1 - w) * 0.1 with w = min(remaining / cooldown_frac, 1), so the linear cooldown ends at 0.1x the peak LR; present.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    num_iterations: int = 1395
    cooldown_frac: float = 0.4


cfg = Hyperparameters()


def lr_scale(step: int) -> float:
    remaining = 1 - step / cfg.num_iterations
    assert 0 <= remaining <= 1
    w = min(remaining / cfg.cooldown_frac, 1.0)  # 1 during the stable phase, then down to 0
    return w + (1 - w) * 0.1


def make_schedulers(optimizers):
    return [torch.optim.lr_scheduler.LambdaLR(opt, lr_scale) for opt in optimizers]
