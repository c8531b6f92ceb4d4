# example: a builder that defines its multiplier inside and returns the LambdaLR itself; the multiplier reads the builder's parameters and a local computed from them (warmup 250, flat, then a linear fall over the last 1200 of 5000 steps, all passed by position); positive.
import torch
from torch.optim.lr_scheduler import LambdaLR


def make_wsd_scheduler(optimizer, num_warmup_steps, num_training_steps, num_decay_steps):
    decay_begins = num_training_steps - num_decay_steps

    def multiplier(current_step):
        if current_step < num_warmup_steps:
            return current_step / max(1, num_warmup_steps)
        if current_step < decay_begins:
            return 1.0
        progress = (current_step - decay_begins) / num_decay_steps
        return 1.0 - progress

    return LambdaLR(optimizer, multiplier)


net = torch.nn.Linear(16, 16)
optimizer = torch.optim.AdamW(net.parameters(), lr=6e-4)
scheduler = make_wsd_scheduler(optimizer, 250, 5000, 1200)
for it in range(5000):
    optimizer.step()
    scheduler.step()
