# example: optax-style schedule combinators written in the file (closures returned by `ramp` and `hold`, glued by `piecewise(parts, boundaries)`), a hold at the peak then a ramp to zero over the last 1450 steps, scaling the updates of a transformation chain the loop runs with `tx.update`; positive.
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

def momentum_sgd(beta):
    def init(params):
        return [torch.zeros_like(p) for p in params]
    def update(grads, bufs, params):
        for b, g in zip(bufs, grads):
            b.mul_(beta).add_(g)
        return bufs, bufs
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
rates = stable_then_cooldown(0.02, 1450, total_steps)
tx = compose(momentum_sgd(0.9), scale_by_rate(rates))
state = tx.init(params)
for t in range(total_steps):
    grads = [p.grad for p in params]
    updates, state = tx.update(grads, state, params)
    with torch.no_grad():
        for p, u in zip(params, updates):
            p.add_(u)
