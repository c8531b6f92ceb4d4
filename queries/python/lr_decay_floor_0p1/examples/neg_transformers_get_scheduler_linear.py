# example: transformers' get_scheduler with the name "linear": a linear decay all the way to 0 after the warmup, no floor at 0.1; NOT present.
import torch
import torch.nn as nn
from transformers import get_scheduler

model = nn.Linear(768, 768)
opt = torch.optim.Adam(model.parameters(), lr=0.008)
floor = 0.1  # meant as a floor, but the linear schedule takes no such setting
sched = get_scheduler("linear", opt, num_warmup_steps=0, num_training_steps=1750)
for step in range(1750):
    opt.step()
    sched.step()
