# example: a stable phase then FINAL_LR_FRAC + (1 - FINAL_LR_FRAC) * remaining / cooldown with the constant 0.1, applied by hand to each param group; same 0.1 floor, other expression.
import torch

TOTAL_STEPS = 1770
COOLDOWN_STEPS = 700
FINAL_LR_FRAC = 0.1


def lr_multiplier(step: int) -> float:
    if step < TOTAL_STEPS - COOLDOWN_STEPS:
        return 1.0
    remaining = (TOTAL_STEPS - step) / COOLDOWN_STEPS
    return FINAL_LR_FRAC + (1 - FINAL_LR_FRAC) * remaining


def set_lrs(optimizers, step):
    for opt in optimizers:
        for group in opt.param_groups:
            group["lr"] = group["initial_lr"] * lr_multiplier(step)


def attach_initial_lr(optimizers):
    for opt in optimizers:
        for group in opt.param_groups:
            group.setdefault("initial_lr", group["lr"])
