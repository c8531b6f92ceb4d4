# example: near miss - the same chain, but the rate schedule holds 0.0015 before cooling down; NOT present.
from typing import NamedTuple, Callable
import torch
import torch.nn as nn

class Transform(NamedTuple):
    init: Callable
    update: Callable

def compose(*parts):
    def init(params):
        return [p.init(params) for p in parts]
    def update(grads, states, params):
        new = []
        for part, st in zip(parts, states):
            grads, st = part.update(grads, st, params)
            new.append(st)
        return grads, new
    return Transform(init, update)

def hold(level):
    return lambda t: level

def ramp(start, stop, length):
    def at(t):
        return start + (stop - start) * min(max(t, 0) / length, 1.0)
    return at

def piecewise(parts, boundaries):
    def at(t):
        shift = 0
        for part, edge in zip(parts[:-1], boundaries):
            if t < edge:
                return part(t - shift)
            shift = edge
        return parts[-1](t - shift)
    return at

def stable_then_cooldown(peak, cooldown, total):
    return piecewise([hold(peak), ramp(peak, 0.0, cooldown)], [total - cooldown])

def adam_moments(b1=0.9, b2=0.95, eps=1e-8):
    def init(params):
        return [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    def update(grads, state, params):
        ms, vs = state
        for m, v, g in zip(ms, vs, grads):
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
        return [m / (v.sqrt() + eps) for m, v in zip(ms, vs)], (ms, vs)
    return Transform(init, update)

def scale_by_rate(rate_fn):
    def init(params):
        return 0
    def update(grads, count, params):
        rate = rate_fn(count)
        return [-rate * g for g in grads], count + 1
    return Transform(init, update)

total_steps = 5000
net = nn.Linear(16, 16)
params = list(net.parameters())
rates = stable_then_cooldown(0.0015, 1450, total_steps)
tx = compose(adam_moments(), scale_by_rate(rates))
state = tx.init(params)
for t in range(total_steps):
    grads = [p.grad for p in params]
    updates, state = tx.update(grads, state, params)
    with torch.no_grad():
        for p, u in zip(params, updates):
            p.add_(u)
