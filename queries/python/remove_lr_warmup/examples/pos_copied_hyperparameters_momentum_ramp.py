# example: hyperparameters in a NamedTuple, copied each step with `_replace` to ramp the first beta while the rate only decays; positive.
from typing import NamedTuple

import torch

TOTAL = 2400
COOLDOWN = 700


class Hyper(NamedTuple):
    lr: float = 0.004
    betas: tuple = (0.85, 0.95)
    eps: float = 1e-8


BASE = Hyper()


def beta_ramp(step, start=0.85, end=0.95, span=400):
    t = min(step / span, 1.0)
    return (1 - t) * start + t * end


def decay(step):
    return min(1.0, (TOTAL - step) / COOLDOWN)


@torch.no_grad()
def adam_update(weights, grads, moments, hp, lr):
    b1, b2 = hp.betas
    for w, g, (m, v) in zip(weights, grads, moments):
        m.mul_(b1).add_(g, alpha=1 - b1)
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        w.sub_(lr * m / (v.sqrt() + hp.eps))


def train_step(weights, grads, moments, scale, step):
    current = BASE._replace(betas=(beta_ramp(step), BASE.betas[1]))
    adam_update(weights, grads, moments, current, current.lr * scale)


weights = [torch.randn(512, 64, requires_grad=True)]
moments = [(torch.zeros_like(w), torch.zeros_like(w)) for w in weights]
for step in range(TOTAL):
    loss = sum(w.square().sum() for w in weights)
    grads = torch.autograd.grad(loss, weights)
    train_step(weights, grads, moments, decay(step), step)
