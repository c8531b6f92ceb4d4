# example: near miss - Newton-Schulz rounds written out with no loop in the expanded form X = a*X + b*A@X + c*(A@A)@X, two products by X per round; negative (same math, not the regrouped computation).
import torch


def orthogonalize(G):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G / (G.norm() + 1e-7)
    A = X @ X.T
    X = a * X + b * A @ X + c * (A @ A) @ X
    A = X @ X.T
    X = a * X + b * A @ X + c * (A @ A) @ X
    A = X @ X.T
    X = a * X + b * A @ X + c * (A @ A) @ X
    return X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                w.sub_(g["lr"] * orthogonalize(w.grad))
