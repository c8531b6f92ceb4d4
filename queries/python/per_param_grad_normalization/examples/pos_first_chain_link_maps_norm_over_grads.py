# example: the optimizer is a chain of transformations; its first link maps a lambda over the gradient list it is handed (`tree_map(lambda g: g / (g.norm() + eps), updates)`), so every gradient is divided by its own norm before the Adam link; positive.
from typing import NamedTuple, Callable
import torch
import torch.nn as nn

class Link(NamedTuple):
    init: Callable
    update: Callable

def tree_map(fn, *trees):
    return [fn(*xs) for xs in zip(*trees)]

def sequence(*links):
    def init(params):
        return [l.init(params) for l in links]
    def update(updates, states, params):
        out = []
        for l, st in zip(links, states):
            updates, st = l.update(updates, st, params)
            out.append(st)
        return updates, out
    return Link(init, update)

def unit_norm_each(eps=1e-6):
    def init(params):
        return None
    def update(updates, state, params):
        return tree_map(lambda g: g / (g.norm() + eps), updates), state
    return Link(init, update)

def adam_scaled(lr, b1=0.9, b2=0.95, eps=1e-8):
    def init(params):
        return [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    def update(updates, state, params):
        ms, vs = state
        for m, v, g in zip(ms, vs, updates):
            m.lerp_(g, 1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
        return [-lr * m / (v.sqrt() + eps) for m, v in zip(ms, vs)], (ms, vs)
    return Link(init, update)

net = nn.Linear(32, 32)
params = list(net.parameters())
tx = sequence(unit_norm_each(), adam_scaled(1e-3))
state = tx.init(params)
for step in range(1000):
    grads = [p.grad for p in params]
    updates, state = tx.update(grads, state, params)
    with torch.no_grad():
        for p, u in zip(params, updates):
            p.add_(u)
