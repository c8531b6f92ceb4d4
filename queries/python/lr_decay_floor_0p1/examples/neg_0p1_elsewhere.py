# example: 0.1 appears as cooldown_frac and inside an old full-decay formula whose end is 0.1/1.1 (about 0.09) of peak; the schedule does not end at 0.1x, so NOT present (near miss).
import torch

num_iterations = 3000
cooldown_frac = 0.1


def get_lr_old(it):
    decay_ratio = it / num_iterations
    return (0.1 + (1 - decay_ratio)) / (0.1 + 1)


def get_lr(it):
    t = 1 - it / num_iterations
    return 1.0 if t >= cooldown_frac else t / cooldown_frac


def build(opt, use_old=False):
    return torch.optim.lr_scheduler.LambdaLR(opt, get_lr_old if use_old else get_lr)
