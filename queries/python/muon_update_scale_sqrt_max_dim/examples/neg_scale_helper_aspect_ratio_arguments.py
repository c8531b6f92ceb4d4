# example: the same two-parameter helper sqrt(max(m, n)), but called with the aspect ratio and 1 (sqrt(max(rows / cols, 1))); negative (aspect-ratio scaling, not the larger dimension).
import math

import torch


def ortho(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        s = x @ x.T
        x = 3.4445 * x + (-4.7750 * s + 2.0315 * s @ s) @ x
    return x


def unit_rms(m, n):
    return math.sqrt(max(m, n))


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                rows, cols = p.grad.shape
                p.add_(ortho(p.grad) * unit_rms(rows / cols, 1.0), alpha=-group["lr"])


opt = Ortho(torch.nn.Linear(64, 64, bias=False).parameters())
