# example: RMSprop written by hand with eps 1e-10: one running average (of the squared gradient) and no first moment, so it is not Adam; NOT present.
import torch

EPS = 1e-10


@torch.no_grad()
def rms_step(params, grads, state, lr, alpha=0.99):
    for k in params:
        g = grads[k]
        v = state.setdefault(k, torch.zeros_like(g))
        v.mul_(alpha).addcmul_(g, g, value=1 - alpha)
        params[k].sub_(lr * g / (v.sqrt() + EPS))


params = {"wte": torch.randn(50304, 768, requires_grad=True)}
state = {}
for step in range(100):
    loss = params["wte"].square().sum()
    grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
    rms_step(params, grads, state, 0.01)
