# example: near miss - the same unit-norm link, but placed after the Adam link, so it rescales Adam's updates rather than the gradients; NOT present.
from typing import Callable, NamedTuple

import torch


class Transform(NamedTuple):
    init: Callable
    update: Callable


def chain(*links: Transform) -> Transform:
    def init(params):
        return tuple(link.init(params) for link in links)

    def update(updates, state, params):
        states = []
        for link, s in zip(links, state):
            updates, s = link.update(updates, s, params)
            states.append(s)
        return updates, tuple(states)

    return Transform(init, update)


def scale_by_adam(b1=0.9, b2=0.95, eps=1e-8):
    def init(params):
        return (0, [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params])

    def update(updates, state, params):
        count, mu, nu = state
        count += 1
        mu = [torch.lerp(m, g, 1 - b1) for m, g in zip(mu, updates)]
        nu = [torch.lerp(v, g.square(), 1 - b2) for v, g in zip(nu, updates)]
        out = [(m / (1 - b1 ** count)) / ((v / (1 - b2 ** count)).sqrt() + eps) for m, v in zip(mu, nu)]
        return out, (count, mu, nu)

    return Transform(init, update)


def unit_norm_each(eps=1e-6):
    def init(params):
        return None

    def update(updates, state, params):
        return [g / (g.norm() + eps) for g in updates], state

    return Transform(init, update)


def scale_by_schedule(fn):
    def init(params):
        return 0

    def update(updates, state, params):
        factor = fn(state)
        return [u * factor for u in updates], state + 1

    return Transform(init, update)


def piecewise(knots, heights):
    def at(step):
        if step <= knots[0]:
            return heights[0]
        for (k0, k1), (h0, h1) in zip(zip(knots[:-1], knots[1:]), zip(heights[:-1], heights[1:])):
            if step <= k1:
                return h0 + (step - k0) / max(k1 - k0, 1) * (h1 - h0)
        return heights[-1]
    return at


def build(peak, warmup, total, cooldown):
    sched = piecewise((0, warmup, total - cooldown, total), (peak / warmup, peak, peak, 0.0))
    tx = chain(scale_by_adam(0.9, 0.95, 1e-8), unit_norm_each(1e-6), scale_by_schedule(lambda c: -sched(c)))
    return tx, sched


model = torch.nn.Linear(768, 768)
params = list(model.parameters())
tx, sched = build(0.0018, 256, 9536, 2000)
state = tx.init(params)
for step in range(9536 + 1):
    loss = model(torch.randn(8, 768)).square().mean()
    loss.backward()
    updates, state = tx.update([p.grad for p in params], state, params)
    with torch.no_grad():
        for p, u in zip(params, updates):
            p.add_(u)
    model.zero_grad(set_to_none=True)
