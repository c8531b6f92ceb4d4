# example: the sqrt(max(1, rows/cols)) gain is a @property of a NamedTuple built from the update's shape (cls(*g.shape)), read as shape.gain where the update is scaled; positive.
from typing import NamedTuple

import torch
from torch.optim import Optimizer


def newton_schulz(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X.to(G.dtype)


class Shape(NamedTuple):
    rows: int
    cols: int

    @classmethod
    def of(cls, t):
        return cls(*t.shape)

    @property
    def gain(self):
        return max(1.0, self.rows / self.cols) ** 0.5


class OrthoMomentum(Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                update = newton_schulz(buf)
                shape = Shape.of(update)
                p.add_(update * shape.gain, alpha=-group["lr"])


opt = OrthoMomentum([torch.nn.Parameter(torch.randn(3072, 768))])
