# example: an optax-style chain link computes Adam with multi-tensor moments (`torch._foreach_lerp_(mu, ...)`, `torch._foreach_addcmul_(nu, ...)`) and divides through a lambda mapped over the moment lists (`tree_map(lambda m, v: ..., mu, nu)`); the helper building the chain is given eps=1e-10; positive.
from typing import NamedTuple, Callable
import torch
import torch.nn as nn

class GradientTransformation(NamedTuple):
    init: Callable
    update: Callable

def tree_map(fn, *trees):
    return [fn(*leaves) for leaves in zip(*trees)]

def chain(*transforms):
    def init_fn(params):
        return tuple(t.init(params) for t in transforms)
    def update_fn(updates, state, params=None):
        new_state = []
        for t, s in zip(transforms, state):
            updates, s = t.update(updates, s, params)
            new_state.append(s)
        return updates, tuple(new_state)
    return GradientTransformation(init_fn, update_fn)

def scale_by_adam(b1=0.9, b2=0.999, eps=1e-8):
    def init_fn(params):
        return (0, tree_map(torch.zeros_like, params), tree_map(torch.zeros_like, params))
    def update_fn(updates, state, params=None):
        count, mu, nu = state
        count = count + 1
        torch._foreach_lerp_(mu, updates, 1 - b1)
        torch._foreach_mul_(nu, b2)
        torch._foreach_addcmul_(nu, updates, updates, value=1 - b2)
        c1, c2 = 1 - b1 ** count, 1 - b2 ** count
        updates = tree_map(lambda m, v: (m / c1) / ((v / c2).sqrt() + eps), mu, nu)
        return updates, (count, mu, nu)
    return GradientTransformation(init_fn, update_fn)

def scale_by_learning_rate(learning_rate):
    def init_fn(params):
        return 0
    def update_fn(updates, state, params=None):
        return tree_map(lambda u: -learning_rate * u, updates), state + 1
    return GradientTransformation(init_fn, update_fn)

def adam(learning_rate, b1=0.9, b2=0.999, eps=1e-8):
    return chain(scale_by_adam(b1=b1, b2=b2, eps=eps), scale_by_learning_rate(learning_rate))

adam_eps = 1e-10
model = nn.Linear(10, 10)
params = list(model.parameters())
tx = adam(0.008, b1=0.8, b2=0.95, eps=adam_eps)
state = tx.init(params)
for step in range(100):
    updates, state = tx.update([p.grad for p in params], state, params)
