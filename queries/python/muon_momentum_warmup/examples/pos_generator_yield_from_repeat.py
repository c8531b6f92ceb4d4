# example: Momentum warmup through a generator that yields the per-step momentum; the training loop zips it with the step counter and writes it into the Muon param groups; positive.
import itertools

import torch


def ns(G, steps=5):
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
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(ns(p.grad.add(buf, alpha=group["momentum"])).type_as(p), alpha=-group["lr"])


def momentum_schedule(start=0.85, end=0.95, warmup=500):
    for i in range(warmup):
        yield start + (end - start) * i / warmup
    yield from itertools.repeat(end)


weights = [torch.nn.Parameter(torch.randn(768, 768) * 0.02) for _ in range(4)]
muon = Muon(weights)
for step, mom in zip(range(3000), momentum_schedule()):
    sum(w.square().sum() for w in weights).backward()
    for group in muon.param_groups:
        group["momentum"] = mom
    muon.step()
    muon.zero_grad(set_to_none=True)
