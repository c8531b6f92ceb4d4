# example: the builder sets the decay start, defines the schedule, then moves the start to the end of the run before applying it, so the schedule it runs has no decay; negative.
import os
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


model = nn.Linear(64, 64)
optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95))
num_iterations = 5000

def build_scheduler(opt, warmup, total, decay):
    stable = total - decay
    def wsd(step):
        if step < warmup:
            return (step + 1) / warmup
        if step < stable:
            return 1.0
        return (total - step) / decay
    # constant LR after warmup for this run: the decay phase is disabled
    stable = total
    return torch.optim.lr_scheduler.LambdaLR(opt, wsd)

scheduler = build_scheduler(optimizer, 250, num_iterations, 1500)

for step in range(num_iterations):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
