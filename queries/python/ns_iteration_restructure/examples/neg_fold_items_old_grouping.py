# example: near miss - the iteration folds step functions from a repeated list (`reduce(lambda acc, f: f(acc), [step] * 5, X)`), but each step keeps the older grouping B = A @ X; X = a*X + b*B + c*A@B; negative.
from functools import reduce

import torch


def make_step(a, b, c):
    def step(X):
        A = X @ X.T
        B = A @ X
        return a * X + b * B + c * A @ B
    return step


def zeropower(G, steps=5):
    X = G.bfloat16()
    X /= X.norm() + 1e-7
    if G.size(0) > G.size(1):
        X = X.T
    X = reduce(lambda acc, f: f(acc), [make_step(3.4445, -4.7750, 2.0315)] * steps, X)
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
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])
