# example: a 3-D gradient is orthogonalized slice by slice in a Python loop over unbind(0) and re-stacked; per-slice math but no batched Newton-Schulz call, so NOT this id.
import torch


def ns(G, steps=5):
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


def orthogonalize(G):
    if G.ndim == 3:
        return torch.stack([ns(g) for g in G.unbind(0)])
    return ns(G)


@torch.no_grad()
def step(params, bufs, lr):
    for p in params:
        bufs[p].mul_(0.95).add_(p.grad)
        p.add_(orthogonalize(bufs[p]).type_as(p), alpha=-lr)
