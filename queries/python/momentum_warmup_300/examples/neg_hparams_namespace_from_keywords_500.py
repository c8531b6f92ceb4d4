# example: near miss - the same keyword-keeping hparams helper, but the set-up gives the ramp 500 steps; negative.
from types import SimpleNamespace

import torch
from torch import nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state.setdefault(p, {}).setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                X = buf.bfloat16()
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.data.add_(X, alpha=-group["lr"])


class Module:
    def __init__(self):
        self.save_hyperparameters(ramp_steps=500, lo=0.85, hi=0.95)
        self.net = nn.Linear(768, 768)
        self.opt = Muon(self.net.parameters(), lr=0.05, momentum=0.95)

    def save_hyperparameters(self, **kw):
        self.hparams = SimpleNamespace(**kw)

    def train(self, steps):
        hp = self.hparams
        for step in range(steps):
            self.net(torch.randn(4, 768)).sum().backward()
            frac = min(step / hp.ramp_steps, 1)
            self.opt.param_groups[0]["momentum"] = (1 - frac) * hp.lo + frac * hp.hi
            self.opt.step()


Module().train(1750)
