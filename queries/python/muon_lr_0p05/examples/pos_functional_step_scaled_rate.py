# example: a functional Muon step handed lr=HP.matrix_lr * s every step (matrix_lr 0.05, s a trapezoid factor of the step peaking at 1, computed in the step helper the loop calls with its step); positive.
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
    return {"mats": [torch.randn(width, width, requires_grad=True) for _ in range(depth)]}


def forward(params, x):
    for w in params["mats"]:
        x = x + torch.relu(x @ w)
    return x.pow(2).mean()


class HP:
    matrix_lr = 0.05
    iterations = 2000
    warmdown = 600


params = init_params()
bufs = [torch.zeros_like(w) for w in params["mats"]]


def lr_scale(step):
    if step < HP.iterations - HP.warmdown:
        return 1.0
    return 1.0 * (HP.iterations - step) / HP.warmdown


def apply_update(step):
    s = lr_scale(step)
    muon_step(params["mats"], [w.grad for w in params["mats"]], bufs, lr=HP.matrix_lr * s, momentum=0.95)


for step in range(HP.iterations):
    loss = forward(params, torch.randn(8, 256))
    loss.backward()
    with torch.no_grad():
        apply_update(step)
    for w in params["mats"]:
        w.grad = None
