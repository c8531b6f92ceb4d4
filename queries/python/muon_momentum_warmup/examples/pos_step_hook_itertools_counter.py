# example: a helper registers a step pre-hook on the orthogonalizing optimizer; the hook takes its step from `next()` of an `itertools.count()` and sets every group's momentum to 0.85 + 0.10 * min(step / 500, 1); positive.
import itertools

import torch
from torch import nn


def orthogonalize(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state.setdefault(p, {}).setdefault("buf", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(orthogonalize(buf), alpha=-group["lr"])


def install_momentum_ramp(opt, warmup=500, lo=0.85, hi=0.95):
    ticks = itertools.count()

    def ramp(optimizer, args, kwargs):
        step = next(ticks)
        frac = min(step / warmup, 1.0)
        for group in optimizer.param_groups:
            group["momentum"] = lo + (hi - lo) * frac

    opt.register_step_pre_hook(ramp)


body = nn.Linear(768, 768, bias=False).cuda()
ortho = Ortho(body.parameters(), lr=0.02, momentum=0.95)
install_momentum_ramp(ortho)
for _ in range(1000):
    body(torch.randn(8, 768, device="cuda")).square().mean().backward()
    ortho.step()
    ortho.zero_grad(set_to_none=True)
