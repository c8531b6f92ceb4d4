# example: the warmup-hold-warmdown branch of the schedule is chosen by a flag read through an environment helper whose default is off, so the run uses the other branch, a linear decay that starts right after warmup; negative.
import os

import torch


def env_bool(var, default=False):
    """A yes/no setting from the environment."""
    value = os.environ.get(var)
    if value is None:
        return default
    return value.lower() in ("1", "yes", "true")


HOLD_THEN_DECAY = env_bool("TRAIN_WSD")
TOTAL, WARM, COOL = 6000, 300, 1800

model = torch.nn.Linear(32, 32)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)


def lr_scale(step):
    if step < WARM:
        return (step + 1) / WARM
    if HOLD_THEN_DECAY:
        return min(1.0, (TOTAL - step) / COOL)
    return (TOTAL - step) / (TOTAL - WARM)


sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_scale)
for step in range(TOTAL):
    opt.step()
    sched.step()
