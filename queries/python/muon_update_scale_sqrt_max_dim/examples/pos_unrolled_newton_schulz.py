# example: the Newton-Schulz rounds are written out one after another (no loop) and the step is scaled by max(rows, cols) ** 0.5; positive (unrolled iteration).
import torch
from torch.optim import Optimizer


def orthogonalize(G):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    A = X @ X.T
    X = a * X + (b * A + c * A @ A) @ X
    A = X @ X.T
    X = a * X + (b * A + c * A @ A) @ X
    A = X @ X.T
    X = a * X + (b * A + c * A @ A) @ X
    return X


class OrthoNesterov(Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                rows, cols = g.shape
                p.add_(orthogonalize(g), alpha=-group["lr"] * max(rows, cols) ** 0.5)
