# example: a functional orthogonalized update computes its momentum from the step it is given (mu = ramp(step)) and uses it for its buffer; present.
import torch


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


def ramp(step, start=0.85, end=0.95, length=500):
    t = min(step / length, 1.0)
    return start + t * (end - start)


@torch.no_grad()
def ortho_sgd_(params, grads, bufs, step, lr):
    mu = ramp(step)
    for k in params:
        bufs[k].mul_(mu).add_(grads[k])
        params[k].sub_(lr * orthogonalize(grads[k] + mu * bufs[k]))


params = {f"w{i}": torch.randn(768, 768, requires_grad=True) for i in range(4)}
bufs = {k: torch.zeros_like(v) for k, v in params.items()}
for step in range(1000):
    loss = sum(p.square().sum() for p in params.values())
    grads = dict(zip(params, torch.autograd.grad(loss, list(params.values()))))
    ortho_sgd_(params, grads, bufs, step, 0.02)
