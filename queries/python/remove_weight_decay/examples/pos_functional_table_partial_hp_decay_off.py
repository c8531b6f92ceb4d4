# example: functional optimizers kept in a table of (init, update) pairs, each update a functools.partial binding its hyperparameters (partial(adam_step, hp=AdamHP(...))), called per subtree through the table (table[k][1](...)); the Adam step decays only under `if hp.decay:` and the NamedTuple's decay is 0.0; positive.
import functools
import math
from typing import NamedTuple

import torch


class AdamHP(NamedTuple):
    b1: float = 0.9
    b2: float = 0.95
    eps: float = 1e-8
    decay: float = 0.0


def adam_init(params):
    return {"t": 0, "m": [torch.zeros_like(p) for p in params], "v": [torch.zeros_like(p) for p in params]}


@torch.no_grad()
def adam_step(grads, state, params, hp, lr):
    t = state["t"] + 1
    if hp.decay:
        torch._foreach_mul_(params, 1.0 - lr * hp.decay)
    torch._foreach_lerp_(state["m"], grads, 1.0 - hp.b1)
    torch._foreach_mul_(state["v"], hp.b2)
    torch._foreach_addcmul_(state["v"], grads, grads, value=1.0 - hp.b2)
    denom = torch._foreach_sqrt(state["v"])
    torch._foreach_div_(denom, math.sqrt(1.0 - hp.b2 ** t))
    torch._foreach_add_(denom, hp.eps)
    torch._foreach_addcdiv_(params, state["m"], denom, value=-lr / (1.0 - hp.b1 ** t))
    state["t"] = t
    return state


def sgd_init(params):
    return {}


@torch.no_grad()
def sgd_step(grads, state, params, lr):
    torch._foreach_add_(params, grads, alpha=-lr)
    return state


def make_optimizer(adam_hp):
    table = {
        "dense": (adam_init, functools.partial(adam_step, hp=adam_hp)),
        "bias": (sgd_init, sgd_step),
    }

    def init(groups):
        return {k: table[k][0](groups[k]) for k in groups}

    def update(grads, state, groups, lrs):
        return {k: table[k][1](grads[k], state[k], groups[k], lr=lrs[k]) for k in groups}

    return init, update


net = torch.nn.Linear(32, 32)
groups = {"dense": [net.weight], "bias": [net.bias]}
opt_init, opt_update = make_optimizer(AdamHP(b1=0.9, b2=0.95))
state = opt_init(groups)
for step in range(10):
    net(torch.randn(8, 32)).square().mean().backward()
    grads = {k: [p.grad for p in ps] for k, ps in groups.items()}
    state = opt_update(grads, state, groups, {"dense": 1e-3, "bias": 1e-2})
    net.zero_grad(set_to_none=True)
