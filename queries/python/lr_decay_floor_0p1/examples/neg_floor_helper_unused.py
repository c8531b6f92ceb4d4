# example: a floored schedule (blend down to 0.1) is defined but LambdaLR is given the schedule that decays to zero; the floor never reaches the optimizers, so NOT present.
import torch

NUM_ITERATIONS = 1770
COOLDOWN_FRAC = 0.4


def floored(step):
    t = 1 - step / NUM_ITERATIONS
    w = min(t / COOLDOWN_FRAC, 1.0)
    return w + (1 - w) * 0.1


def to_zero(step):
    t = 1 - step / NUM_ITERATIONS
    return min(t / COOLDOWN_FRAC, 1.0)


def make(optimizer):
    return torch.optim.lr_scheduler.LambdaLR(optimizer, to_zero)
