# example: transformers' warmup-stable-decay schedule that still warms up for 250 steps. NOT remove_lr_warmup (near miss).
import torch
import torch.nn as nn
from transformers import get_wsd_schedule

model = nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0036)
schedule = get_wsd_schedule(opt, num_warmup_steps=250, num_decay_steps=1450, num_training_steps=5100, decay_type="linear")
for step in range(5100):
    opt.step()
    schedule.step()
