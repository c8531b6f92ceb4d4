# example: sqrt(max(rows, cols)) is computed, but the orthogonalized update is divided by it (large matrices shrink instead of grow); negative.
import math

import torch


def ns(G, steps=5):
    X = G / (G.norm() + 1e-7)
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
                g = ns(p.grad + group["momentum"] * buf)
                dim_scale = math.sqrt(max(g.size(0), g.size(1)))
                p.add_(g / dim_scale, alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(512, 2048))])
