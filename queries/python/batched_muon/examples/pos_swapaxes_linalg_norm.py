# example: the Newton-Schulz routine swaps the last two axes with swapaxes(-1, -2), normalizes each matrix with torch.linalg.norm(dim=(-2, -1), keepdim=True), and Muon keeps params with p.dim() > 1; batched NS, other calls.
import torch


def ns_orthogonalize(G: torch.Tensor, steps: int = 5) -> torch.Tensor:
    X = G.to(torch.bfloat16)
    transposed = X.size(-2) > X.size(-1)
    if transposed:
        X = X.swapaxes(-1, -2)
    X = X / (torch.linalg.norm(X.float(), dim=(-2, -1), keepdim=True).to(X.dtype) + 1e-7)
    for _ in range(steps):
        A = X @ X.swapaxes(-1, -2)
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.swapaxes(-1, -2) if transposed else X


def muon_param_groups(model):
    return [p for p in model.parameters() if p.dim() > 1]


@torch.no_grad()
def muon_update(params, bufs, lr=0.05):
    for p in params:
        bufs[p].lerp_(p.grad, 0.05)
        p.add_(ns_orthogonalize(bufs[p]).type_as(p), alpha=-lr)
