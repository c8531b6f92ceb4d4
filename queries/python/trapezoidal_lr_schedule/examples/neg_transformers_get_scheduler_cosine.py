# example: transformers' get_scheduler with the name "cosine": a warmup then a cosine fall with no plateau; NOT present.
import torch
import torch.nn as nn
from transformers import get_scheduler

TOTAL = 3000
model = nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=0.0018, weight_decay=0.0)
sched = get_scheduler("cosine", opt, num_warmup_steps=250, num_training_steps=TOTAL)
for step in range(TOTAL):
    opt.step()
    sched.step()
