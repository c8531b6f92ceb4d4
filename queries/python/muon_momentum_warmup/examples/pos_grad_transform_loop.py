# example: gradients from a transformed loss function held by a name (value_and_grad = torch.compile(torch.func.grad_and_value(loss_fn))) and a functional Muon step handed a momentum rising from 0.85 to 0.95 over 500 steps; positive.
import torch
import torch.nn.functional as F


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


def muon_step(weights, grads, bufs, *, lr, momentum):
    for w, g, buf in zip(weights, grads, bufs):
        buf.mul_(momentum).add_(g)
        w.data.add_(orthogonalize(g.add(buf, alpha=momentum)), alpha=-lr)


def init_params(width=256, depth=4):
    return {"mats": [torch.randn(width, width) * 0.02 for _ in range(depth)]}


def loss_fn(params, x):
    for w in params["mats"]:
        x = x + torch.relu(x @ w)
    return x.pow(2).mean()


value_and_grad = torch.compile(torch.func.grad_and_value(loss_fn))


def momentum_at(step, start=0.85, end=0.95, ramp=500):
    frac = min(step / ramp, 1.0)
    return (1 - frac) * start + frac * end


params = init_params()
bufs = [torch.zeros_like(w) for w in params["mats"]]
for step in range(3000):
    grads, loss = value_and_grad(params, torch.randn(8, 256))
    with torch.no_grad():
        muon_step(params["mats"], grads["mats"], bufs, lr=0.02, momentum=momentum_at(step))
