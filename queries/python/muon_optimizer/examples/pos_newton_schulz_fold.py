# example: the Newton-Schulz iteration is a fold: functools.reduce applies a partial of a one-pass step function (Gram product of its argument, quintic polynomial returned) five times; no loop statement; positive.
import functools

import torch


def ns_step(X, a, b, c):
    A = X @ X.T
    B = A @ X
    return a * X + b * B + c * A @ B


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    step = functools.partial(ns_step, a=3.4445, b=-4.7750, c=2.0315)
    X = functools.reduce(lambda acc, _: step(acc), range(steps), X)
    return X.to(G.dtype)


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


layers = torch.nn.Sequential(*[torch.nn.Linear(256, 256, bias=False) for _ in range(4)])
opt = OrthoSGD(layers.parameters())
