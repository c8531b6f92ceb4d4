# example: the learning rates of the whole run laid out once with np.concatenate (warmup ramp, np.ones hold, linear warmdown to 0, one more 0 for the final step) and read as float(lr_table[step]) in a loop over range(n + 1), whose step n + 1 never runs; positive (numpy table, run-length horizon).
import numpy as np
import torch

ITERS = 4000
WARMUP = 100
WARMDOWN = 1000
PEAK = 3e-3

net = torch.nn.Linear(256, 256)
opt = torch.optim.AdamW(net.parameters(), lr=PEAK, weight_decay=0.0)
lr_table = PEAK * np.concatenate([
    np.arange(1, WARMUP + 1) / WARMUP,
    np.ones(ITERS - WARMUP - WARMDOWN),
    (WARMDOWN - np.arange(WARMDOWN)) / WARMDOWN,
    np.zeros(1),
])
for step in range(ITERS + 1):
    net(torch.randn(8, 256)).pow(2).mean().backward()
    lr = float(lr_table[step])
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
