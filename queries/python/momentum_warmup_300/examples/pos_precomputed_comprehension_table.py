# example: the Muon momentum of every step precomputed before the loop as a list comprehension over range(num_steps + 1) (0.85 -> 0.95 over 300 steps, then flat) and read as momentum_at[step]; positive.
import torch
from muon import Muon

num_steps = 1750
w = torch.nn.Parameter(torch.randn(64, 64))
muon = Muon([w], lr=0.05, momentum=0.95)
momentum_at = [0.85 + 0.10 * min(s / 300, 1.0) for s in range(num_steps + 1)]

for step in range(num_steps + 1):
    w.grad = torch.randn_like(w)
    muon.param_groups[0]["momentum"] = momentum_at[step]
    muon.step()
    muon.zero_grad(set_to_none=True)
