# example: piecewise-linear LR from numpy.interp over (0, warmup, stable end, total) knots with the peak held in the middle, written into every param group each step; positive.
import numpy as np
import torch

PEAK = 6e-4
TOTAL = 8000
WARMUP = 200
DECAY = 2400

KNOTS_X = [0, WARMUP, TOTAL - DECAY, TOTAL]
KNOTS_Y = [0.0, PEAK, PEAK, 0.0]


def lr_at(it):
    return float(np.interp(it, KNOTS_X, KNOTS_Y))


model = torch.nn.Linear(256, 256)
optimizer = torch.optim.AdamW(model.parameters(), lr=PEAK, weight_decay=0.0)

for it in range(TOTAL):
    lr = lr_at(it)
    for pg in optimizer.param_groups:
        pg["lr"] = lr
    loss = model(torch.randn(4, 256)).pow(2).mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
