# example: transformers' get_scheduler dispatching by name to the warmup-stable-decay schedule, its decay settings in scheduler_specific_kwargs (a linear decay to min_lr_ratio 0.1); positive.
import torch
import torch.nn as nn
from transformers import get_scheduler

model = nn.Linear(768, 768)
opt = torch.optim.Adam(model.parameters(), lr=0.008)
decay_settings = {"num_decay_steps": 640, "decay_type": "linear", "min_lr_ratio": 0.1}
sched = get_scheduler("warmup_stable_decay", opt, num_warmup_steps=0, num_training_steps=1750,
                      scheduler_specific_kwargs=decay_settings)
for step in range(1750):
    opt.step()
    sched.step()
