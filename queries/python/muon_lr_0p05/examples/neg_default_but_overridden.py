# example: the Muon class declares lr=0.05 as its default, but the call passes lr=0.02, so the optimizer runs at 0.02; NOT Muon at 0.05 (near miss for a default reader).
import torch
from torch import nn


def zeropower_via_newtonschulz5(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(zeropower_via_newtonschulz5(p.grad), alpha=-group["lr"])


hidden = [nn.Parameter(torch.randn(768, 768)) for _ in range(4)]
optimizer = Muon(hidden, lr=0.02, momentum=0.95)
