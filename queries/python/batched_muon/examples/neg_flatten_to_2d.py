# example: Muon accepts ndim >= 2 params but reshapes a (3, d, d) gradient to (3, d*d) before a 2-D Newton-Schulz, orthogonalizing one 3 x d^2 matrix instead of each slice; NOT present (near miss).
import torch


def zeropower(G, steps=5):
    X = G.bfloat16()
    if X.size(0) > X.size(1):
        X = X.T
    X = X / (X.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X.T if G.size(0) > G.size(1) else X


@torch.no_grad()
def muon_update(p, buf, lr, beta=0.95):
    buf.lerp_(p.grad, 1 - beta)
    g2d = buf.view(buf.size(0), -1) if buf.ndim > 2 else buf
    p.add_(zeropower(g2d).view_as(p).type_as(p), alpha=-lr)


def matrix_params(model):
    return [p for p in model.parameters() if p.ndim >= 2]
