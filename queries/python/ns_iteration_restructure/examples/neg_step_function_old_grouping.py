# example: the NS loop hands X to a step function (`X = quintic_step(X)`) that keeps the older grouping B = A @ X; a*X + b*B + c*A@B (two products with X), not one product of a Gram polynomial; negative.
import torch


def quintic_step(X, a=3.4445, b=-4.7750, c=2.0315):
    A = X @ X.T
    B = A @ X
    return a * X + b * B + c * A @ B


def orthogonalize(G, steps=5, eps=1e-7):
    X = G.bfloat16()
    X /= X.norm() + eps
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        X = quintic_step(X)
    if G.size(0) > G.size(1):
        X = X.T
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = orthogonalize(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(g.type_as(p), alpha=-group["lr"])
