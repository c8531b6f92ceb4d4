# example: two flags read through one environment helper with different defaults; the schedule's flag defaults on and selects warmup, hold, then linear decay; positive.
import os
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


model = nn.Linear(64, 64)
optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4, betas=(0.9, 0.95))
num_iterations = 5000
warmup_iters = 250
warmdown_iters = 1500

def env_flag(name, default=True):
    v = os.environ.get(name)
    if v is None:
        return default
    return v.lower() in ("1", "true", "yes")

USE_COMPILE = env_flag("USE_COMPILE", False)
USE_WSD = env_flag("USE_WSD")

def get_lr(it):
    if it < warmup_iters:
        return (it + 1) / warmup_iters
    if USE_WSD:
        if it < num_iterations - warmdown_iters:
            return 1.0
        return (num_iterations - it) / warmdown_iters
    progress = (it - warmup_iters) / (num_iterations - warmup_iters)
    return 0.5 * (1 + math.cos(math.pi * progress))

scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, get_lr)

for step in range(num_iterations):
    loss = model(torch.randn(8, 64)).square().mean()
    loss.backward()
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
