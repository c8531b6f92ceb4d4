# example: near miss - Muon momentum precomputed into a numpy table of n + 1 entries read as float(table[step]), but it stays at 0.95 and DEcreases to 0.85 over the last 500 steps (a cooldown, not a warmup); negative.
import numpy as np
import torch

ITERS = 3000
RAMP = 500

weights = [torch.nn.Parameter(torch.randn(768, 768)) for _ in range(4)]
muon = torch.optim.Muon(weights, lr=0.05, momentum=0.95)
n_steps = ITERS + 1
momentum_table = np.concatenate([
    np.full(n_steps - RAMP, 0.95),
    0.95 - 0.10 * np.arange(1, RAMP + 1) / RAMP,
])
for step in range(ITERS + 1):
    sum(w.square().sum() for w in weights).backward()
    for group in muon.param_groups:
        group["momentum"] = float(momentum_table[step])
    muon.step()
    muon.zero_grad(set_to_none=True)
