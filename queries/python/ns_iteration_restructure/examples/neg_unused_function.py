# example: near miss - a regrouped NS5 helper is defined but nothing calls it; the optimizer uses an SVD instead; negative.
import torch


def ns5_regrouped(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X


class PolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                U, _, Vh = torch.linalg.svd(w.grad, full_matrices=False)
                w.sub_(g["lr"] * (U @ Vh))
