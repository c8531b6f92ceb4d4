# example: near miss - expanded form with B = A @ A precomputed and X = a*X + b*A@X + c*B@X, so X is multiplied twice and the polynomial in A is never formed first; negative (same math, not the regrouped computation).
import torch


def orthogonalize(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G / (G.norm() + 1e-7)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ A
        X = a * X + b * A @ X + c * B @ X
    return X.T if G.size(0) > G.size(1) else X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                w.sub_(g["lr"] * orthogonalize(w.grad))
