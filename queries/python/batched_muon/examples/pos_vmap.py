# example: a 2-D Newton-Schulz routine is lifted with torch.vmap over the leading dim when a gradient is 3-D (stacked qkv), giving one batched orthogonalization call; a third spelling.
import torch


def ns_2d(G, steps=5):
    X = G.bfloat16()
    flip = X.size(0) > X.size(1)
    if flip:
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.T if flip else X


ns_batched = torch.vmap(ns_2d)


def orthogonal_update(grad: torch.Tensor) -> torch.Tensor:
    if grad.ndim == 3:
        return ns_batched(grad)
    return ns_2d(grad)


@torch.no_grad()
def muon_step(params, bufs, lr=0.05, beta=0.95):
    for p in params:
        if p.ndim < 2:
            continue
        bufs[p].mul_(beta).add_(p.grad)
        p.add_(orthogonal_update(bufs[p]).type_as(p), alpha=-lr)
