# example: near miss - the same endless generator zipped into a local plan, but it ramps the learning rate of the
# orthogonalizing optimizer; its momentum stays at 0.95 from the first step; negative.
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


def ramp(lo, hi, span):
    for k in itertools.count():
        yield lo + (hi - lo) * min(k / span, 1.0)


mats = [torch.nn.Parameter(torch.randn(512, 512) / 512 ** 0.5) for _ in range(6)]
opt = OrthoSGD(mats)
plan = zip(range(2000), ramp(0.85, 0.95, 300))
for it, beta in plan:
    sum((m @ m).square().mean() for m in mats).backward()
    for g in opt.param_groups:
        g["lr"] = 0.04 * beta
    opt.step()
    opt.zero_grad(set_to_none=True)
