# example: a generator ramps the momentum up over 300 steps but then yields the starting value for ever (a reset,
# not a hold at the top): after the ramp the momentum drops back to 0.85, which is no warmup to a final value.
import itertools

import torch


def polar(update, rounds=5):
    x = update.bfloat16()
    x = x / (x.norm() + 1e-7)
    for _ in range(rounds):
        gram = x @ x.mT
        x = 3.4445 * x + (-4.7750 * gram + 2.0315 * gram @ gram) @ x
    return x


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.04, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(g["momentum"]).add_(w.grad)
                w.add_(polar(w.grad.add(m, alpha=g["momentum"])).type_as(w), alpha=-g["lr"])


def beta_ramp(lo, hi, span):
    for k in range(span):
        yield lo + (hi - lo) * k / span
    yield from itertools.repeat(lo)


mats = [torch.nn.Parameter(torch.randn(512, 512) / 512 ** 0.5) for _ in range(6)]
opt = OrthoSGD(mats)
for it, beta in zip(range(2000), beta_ramp(0.85, 0.95, 300)):
    sum((m @ m).square().mean() for m in mats).backward()
    for g in opt.param_groups:
        g["momentum"] = beta
    opt.step()
    opt.zero_grad(set_to_none=True)
