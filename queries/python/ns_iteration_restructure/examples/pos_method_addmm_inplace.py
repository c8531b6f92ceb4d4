# example: the regrouped Newton-Schulz step written with in-place addmm: B = A.mul(b).addmm_(A, A, alpha=c) is b*A + c*A@A, and X = X.mul(a).addmm_(B, X) is a*X + B@X; positive (method addmm spelling).
import torch


def orthogonalize(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A.mul(b).addmm_(A, A, alpha=c)
        X = X.mul(a).addmm_(B, X)
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
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])
