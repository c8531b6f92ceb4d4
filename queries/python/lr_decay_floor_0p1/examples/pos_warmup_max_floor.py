# example: a warmup then linear decay clipped from below with max(MIN_LR_FRAC, ...), MIN_LR_FRAC = 0.1 from a constant; the multiplier is 1.0 mid-training and reaches 0.1 at the last step.
import torch

TOTAL_STEPS = 2000
WARMUP_STEPS = 100
MIN_LR_FRAC = 0.1


def lr_factor(step):
    if step < WARMUP_STEPS:
        return (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)
    return max(MIN_LR_FRAC, 1.0 - progress)


def schedulers(optimizers):
    return [torch.optim.lr_scheduler.LambdaLR(o, lr_factor) for o in optimizers]
