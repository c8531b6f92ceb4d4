# example: the ratio written as operator.truediv(*update.shape), rows over cols unpacked from the shape, clamped at 1 under a square root; positive.
import math
import operator

import torch
from torch.optim import Optimizer


def orthogonalize(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Muon(Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                update = orthogonalize(g)
                update *= math.sqrt(max(1.0, operator.truediv(*update.shape)))
                p.add_(update, alpha=-group["lr"])
