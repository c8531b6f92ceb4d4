# example: the NS loop hands X to a callable object (`X = STEP(X)`), whose NamedTuple `__call__` forms A = X @ X.T, B = b*A + c*A@A and returns a*X + B@X; positive.
from typing import NamedTuple

import torch


class QuinticStep(NamedTuple):
    a: float
    b: float
    c: float

    def __call__(self, X):
        A = X @ X.T
        B = self.b * A + self.c * A @ A
        return self.a * X + B @ X


STEP = QuinticStep(3.4445, -4.7750, 2.0315)


def orthogonalize(G, steps=5, eps=1e-7):
    X = G.bfloat16()
    X /= X.norm() + eps
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        X = STEP(X)
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = orthogonalize(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(g.type_as(p), alpha=-group["lr"])
