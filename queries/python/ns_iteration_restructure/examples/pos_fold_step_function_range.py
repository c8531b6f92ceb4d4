# example: the Newton-Schulz iteration is a fold (`functools.reduce(_quintic, range(steps), X)`) of a function whose accumulator X gives G = X @ X.mT, P = b*G + c*G@G and returns a*X + P@X; positive.
import functools

import torch

A_, B_, C_ = 3.4445, -4.7750, 2.0315


def _quintic(X, _step):
    G = X @ X.mT
    P = B_ * G + C_ * (G @ G)
    return A_ * X + P @ X


def orthogonalize(M, steps=5):
    X = M.bfloat16()
    X = X / (X.norm() + 1e-7)
    tall = M.size(0) > M.size(1)
    if tall:
        X = X.mT
    X = functools.reduce(_quintic, range(steps), X)
    return X.mT if tall else X


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
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])
