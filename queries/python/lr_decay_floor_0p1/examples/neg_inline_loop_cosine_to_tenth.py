# example: the training loop computes its multiplier itself and ends at 0.1, but the fall over the last 40% of the run follows half a cosine, not a straight line; NOT present.
import math

import torch

model = torch.nn.Linear(64, 64)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
TOTAL = 4000
COOL = 0.4
FLOOR = 0.1
for g in opt.param_groups:
    g["peak"] = g["lr"]

for it in range(TOTAL):
    model(torch.randn(8, 64)).pow(2).mean().backward()
    t = max(0.0, it - (1 - COOL) * TOTAL) / (COOL * TOTAL)
    mult = FLOOR + (1 - FLOOR) * 0.5 * (1 + math.cos(math.pi * t))
    for g in opt.param_groups:
        g["lr"] = g["peak"] * mult
    opt.step()
    opt.zero_grad(set_to_none=True)
