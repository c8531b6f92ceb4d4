# example: the cooldown goes linearly to zero (return t / cooldown_frac); the floor is 0, so NOT present.
import torch

NUM_ITERATIONS = 1393
COOLDOWN_FRAC = 0.4


def get_lr(it):
    t = 1 - it / NUM_ITERATIONS
    if t >= COOLDOWN_FRAC:
        return 1.0
    return t / COOLDOWN_FRAC


def schedulers_for(optimizers):
    return [torch.optim.lr_scheduler.LambdaLR(opt, get_lr) for opt in optimizers]
