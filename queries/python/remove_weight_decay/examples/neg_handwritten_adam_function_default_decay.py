# example: a hand-written Adam function adds weight_decay * param to the gradient, weight_decay defaulting to 0.1 in its signature; NOT present.
import torch

EPS = 1e-10


@torch.no_grad()
def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.95, weight_decay=0.1):
    for k in params:
        g = grads[k] + weight_decay * params[k]
        m = state.setdefault(("m", k), torch.zeros_like(g))
        v = state.setdefault(("v", k), torch.zeros_like(g))
        m.lerp_(g, 1 - beta1)
        v.lerp_(g * g, 1 - beta2)
        params[k].sub_(lr * m / (v.sqrt() + EPS))


params = {"wte": torch.randn(50304, 768, requires_grad=True)}
state = {}
for step in range(100):
    loss = params["wte"].square().sum()
    grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
    adam_step(params, grads, state, 0.01)
