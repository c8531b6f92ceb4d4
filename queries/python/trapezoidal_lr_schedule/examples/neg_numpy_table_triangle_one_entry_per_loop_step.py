# example: near miss - the whole run's learning rates laid out with np.concatenate and read as float(lr_table[step]) over range(n + 1), but the linear decay to 0 starts right after the warmup (a triangle, no flat stretch); negative.
import numpy as np
import torch

ITERS = 4000
WARMUP = 100
PEAK = 3e-3

net = torch.nn.Linear(256, 256)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK, weight_decay=0.0)
lr_table = PEAK * np.concatenate([
    np.arange(1, WARMUP + 1) / WARMUP,
    (ITERS - WARMUP - np.arange(ITERS - WARMUP)) / (ITERS - WARMUP),
    np.zeros(1),
])
for step in range(ITERS + 1):
    net(torch.randn(8, 256)).pow(2).mean().backward()
    lr = float(lr_table[step])
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
