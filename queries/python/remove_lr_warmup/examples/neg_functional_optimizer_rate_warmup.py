# example: the same plain-function optimizer, but its schedule ramps up over the first 250 steps; NOT present.
import torch

TOTAL = 3000
COOLDOWN = 0.4
FLOOR = 0.1


def schedule(step):
    if step < 250:
        return (step + 1) / 250
    remaining = 1.0 - step / TOTAL
    w = min(remaining / COOLDOWN, 1.0)
    return FLOOR + (1.0 - FLOOR) * w


@torch.no_grad()
def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.95, eps=1e-8):
    for k in params:
        g = grads[k]
        m = state.setdefault(("m", k), torch.zeros_like(g))
        v = state.setdefault(("v", k), torch.zeros_like(g))
        m.lerp_(g, 1 - beta1)
        v.lerp_(g * g, 1 - beta2)
        params[k].sub_(lr * m / (v.sqrt() + eps))


params = {"wte": torch.randn(50304, 768, requires_grad=True)}
state = {}
for step in range(TOTAL):
    loss = params["wte"].square().sum()
    grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
    adam_step(params, grads, state, 0.006 * schedule(step))
