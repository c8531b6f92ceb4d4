# example: RMSprop with momentum written by hand, eps 1e-10: the momentum buffer averages the already divided gradient, g / (sqrt(v) + eps); no first moment is divided, so it is not Adam; NOT present.
import torch

EPS = 1e-10


@torch.no_grad()
def adam_step(params, grads, state, lr, beta1=0.9, beta2=0.95):
    for k in params:
        g = grads[k]
        m = state.setdefault(("m", k), torch.zeros_like(g))
        v = state.setdefault(("v", k), torch.zeros_like(g))
        v.lerp_(g * g, 1 - beta2)
        m.mul_(beta1).add_(g / (v.sqrt() + EPS))
        params[k].sub_(lr * m)


params = {"wte": torch.randn(50304, 768, requires_grad=True)}
state = {}
for step in range(100):
    loss = params["wte"].square().sum()
    grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
    adam_step(params, grads, state, 0.01)
