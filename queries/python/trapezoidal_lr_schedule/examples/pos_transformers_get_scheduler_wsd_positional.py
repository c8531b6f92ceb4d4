# example: transformers' get_scheduler called positionally (name, optimizer, warmup, total, then the schedule's own keywords as dict(...)) for warmup-stable-decay: a 250-step warmup, a plateau, and a linear decay over the last 30%; positive.
import torch
import torch.nn as nn
from transformers import get_scheduler

TOTAL = 3000
model = nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018, weight_decay=0.0)
sched = get_scheduler("warmup_stable_decay", opt, 250, TOTAL, dict(num_decay_steps=int(0.3 * TOTAL), decay_type="linear"))
for step in range(TOTAL):
    opt.step()
    sched.step()
