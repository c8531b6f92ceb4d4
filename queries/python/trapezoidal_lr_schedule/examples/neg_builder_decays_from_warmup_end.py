# example: the same builder, but its decay span covers everything after warmup, so there is no flat stretch at the peak (a plain warmup-then-linear-decay); negative.
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
scheduler = make_wsd_scheduler(optimizer, 250, 5000, 4750)
for it in range(5000):
    optimizer.step()
    scheduler.step()
