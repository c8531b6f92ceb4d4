# example: numpy.interp schedule with knots (0, warmup, total): ramp up then decay linearly all the way to the end, no flat phase at the peak; negative (triangular schedule, the baseline shape).
import numpy as np
import torch

PEAK = 6e-4
TOTAL = 8000
WARMUP = 200


def lr_at(it):
    return float(np.interp(it, [0, WARMUP, TOTAL], [0.0, PEAK, 0.0]))


model = torch.nn.Linear(256, 256)
optimizer = torch.optim.AdamW(model.parameters(), lr=PEAK, weight_decay=0.0)

for it in range(TOTAL):
    for pg in optimizer.param_groups:
        pg["lr"] = lr_at(it)
    loss = model(torch.randn(4, 256)).pow(2).mean()
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
