# example: functional Muon step takes momentum as an argument; the loop passes momentum_at(step) = 0.85 + 0.10 * min(1.0, step / 500); positive.
import torch


def ns(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


@torch.no_grad()
def muon_step(params, bufs, lr, momentum):
    for p, buf in zip(params, bufs):
        buf.mul_(momentum).add_(p.grad)
        p.sub_(lr * ns(p.grad + momentum * buf).type_as(p))


def momentum_at(step):
    return 0.85 + 0.10 * min(1.0, step / 500)


params = [torch.randn(256, 256, requires_grad=True) for _ in range(3)]
bufs = [torch.zeros_like(p) for p in params]
for step in range(3000):
    x = torch.randn(8, 256)
    for w in params:
        x = torch.relu(x @ w)
    x.square().mean().backward()
    muon_step(params, bufs, lr=0.02, momentum=momentum_at(step))
    for p in params:
        p.grad = None
