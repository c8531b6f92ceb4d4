# example: one pass of X @ X.T (a single polishing step, no iteration) before a max(rows, cols) ** 0.5 scaled step; negative (no orthogonalizing optimizer).
import torch
from torch.optim import Optimizer


def polish(G):
    X = G / (G.norm() + 1e-7)
    A = X @ X.T
    X = 1.5 * X - 0.5 * A @ X
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
                p.add_(polish(g), alpha=-group["lr"] * max(rows, cols) ** 0.5)
