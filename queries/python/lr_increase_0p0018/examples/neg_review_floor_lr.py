# example: AdamW peak lr 3.6e-3 with a cosine schedule whose floor min_lr = peak / 2 = 1.8e-3; negative (0.0018 is the minimum LR, not the Adam peak).
import math

import torch
import torch.nn as nn

PEAK_LR = 3.6e-3
MIN_LR = PEAK_LR / 2
STEPS = 5000


def lr_at(step):
    progress = step / STEPS
    return MIN_LR + 0.5 * (PEAK_LR - MIN_LR) * (1 + math.cos(math.pi * progress))


model = nn.Linear(768, 768)
opt = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, betas=(0.9, 0.95), weight_decay=0.0)
for step in range(STEPS):
    for g in opt.param_groups:
        g["lr"] = lr_at(step)
    model(torch.randn(2, 768)).square().mean().backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
