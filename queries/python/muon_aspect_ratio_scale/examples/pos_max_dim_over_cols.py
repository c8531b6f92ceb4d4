# example: the orthogonalized update is scaled by math.sqrt(max(p.size(0), p.size(1)) / p.size(1)), which equals sqrt(max(1, rows/cols)) - tall matrices grow, square and wide ones stay at 1; positive.
import math

import torch


def zeropower(G, steps=5, eps=1e-7):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return (X.T if flip else X).to(G.dtype)


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "mom" not in state:
                    state["mom"] = torch.zeros_like(p.grad)
                mom = state["mom"]
                mom.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(mom, alpha=group["momentum"]) if group["nesterov"] else mom
                update = zeropower(g)
                scale = math.sqrt(max(p.size(0), p.size(1)) / p.size(1))
                p.add_(update, alpha=-group["lr"] * scale)
