# example: near miss - the per-step copy (dataclasses.replace) replaces the rate itself with a warmed-up one; NOT present.
import dataclasses

import torch

TOTAL = 2400
COOLDOWN = 700


@dataclasses.dataclass(frozen=True)
class Hyper:
    lr: float = 0.004
    betas: tuple = (0.9, 0.95)
    eps: float = 1e-8


BASE = Hyper()


def warmed(step):
    if step < 400:
        return (step + 1) / 400
    return min(1.0, (TOTAL - step) / COOLDOWN)


@torch.no_grad()
def adam_update(weights, grads, moments, hp, lr):
    b1, b2 = hp.betas
    for w, g, (m, v) in zip(weights, grads, moments):
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        w.sub_(lr * m / (v.sqrt() + hp.eps))


weights = [torch.randn(512, 64, requires_grad=True)]
moments = [(torch.zeros_like(w), torch.zeros_like(w)) for w in weights]
for step in range(TOTAL):
    loss = sum(w.square().sum() for w in weights)
    grads = torch.autograd.grad(loss, weights)
    current = dataclasses.replace(BASE, lr=BASE.lr * warmed(step))
    adam_update(weights, grads, moments, current, current.lr)
