# example: after a short warmup the multiplier follows a half cosine from 1.0 down to 0.1 at the last step; it ends at a tenth of the peak, but the cooldown is not linear; negative.

import math

import torch

STEPS = 3000


def multiplier(step, warm=100):
    if step < warm:
        return (step + 1) / warm
    p = (step - warm) / (STEPS - warm)
    return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p))


def schedulers(optimizers):
    return [torch.optim.lr_scheduler.LambdaLR(o, multiplier) for o in optimizers]
