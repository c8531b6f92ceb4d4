# example: Muon momentum precomputed for every step of the run into a numpy table (np.concatenate of a 0.85 -> 0.95 ramp over 500 steps and np.full at 0.95, n + 1 entries for range(n + 1)) and written per step as float(table[step]); positive (numpy momentum table indexed by step).
import numpy as np
import torch

ITERS = 3000
RAMP = 500

weights = [torch.nn.Parameter(torch.randn(768, 768)) for _ in range(4)]
muon = torch.optim.Muon(weights, lr=0.05, momentum=0.95)
n_steps = ITERS + 1
momentum_table = np.concatenate([
    0.85 + 0.10 * np.arange(RAMP) / RAMP,
    np.full(n_steps - RAMP, 0.95),
])
for step in range(ITERS + 1):
    sum(w.square().sum() for w in weights).backward()
    for group in muon.param_groups:
        group["momentum"] = float(momentum_table[step])
    muon.step()
    muon.zero_grad(set_to_none=True)
