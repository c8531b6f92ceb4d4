# example: parameters split by p.ndim == 2: matrices to a Newton-Schulz optimizer, but the low-dimensional params go to plain SGD; negative (no Adam-family optimizer for the scalars).
import torch
import torch.nn as nn


def zeropower(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower(buf).type_as(p), alpha=-group["lr"])


blocks = nn.Sequential(nn.Linear(256, 256, bias=False), nn.LayerNorm(256), nn.Linear(256, 256, bias=False))
matrices = [p for p in blocks.parameters() if p.ndim == 2]
scalars = [p for p in blocks.parameters() if p.ndim != 2]
optimizers = [Muon(matrices, lr=0.05), torch.optim.SGD(scalars, lr=0.04, momentum=0.9)]
