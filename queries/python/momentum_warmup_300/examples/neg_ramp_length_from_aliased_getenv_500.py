# example: near miss - the same aliased-getenv settings, but the ramp length defaults to "500": a 500-step warmup; negative.
import os

import torch

env = os.getenv
MOM_START = float(env("MOM_START", "0.85"))
MOM_END = float(env("MOM_END", "0.95"))
RAMP = int(env("MOM_RAMP", "500"))


def polar(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(polar(buf), alpha=-group["lr"])


w = torch.nn.Parameter(torch.randn(32, 32))
opt = Ortho([w], momentum=MOM_END)
for step in range(2000):
    (w ** 2).sum().backward()
    ramp = min(step / RAMP, 1.0)
    for g in opt.param_groups:
        g["momentum"] = MOM_START + ramp * (MOM_END - MOM_START)
    opt.step()
    opt.zero_grad(set_to_none=True)
