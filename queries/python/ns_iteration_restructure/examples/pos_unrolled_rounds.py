# example: Newton-Schulz rounds written out one after another with no loop, each forming B = b*A + c*A@A on the Gram matrix and X = a*X + B@X; positive.
import torch


def orthogonalize(G):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G / (G.norm() + 1e-7)
    gram = X @ X.T
    poly = b * gram + c * (gram @ gram)
    X = a * X + poly @ X
    gram = X @ X.T
    poly = b * gram + c * (gram @ gram)
    X = a * X + poly @ X
    gram = X @ X.T
    poly = b * gram + c * (gram @ gram)
    X = a * X + poly @ X
    return X


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for w in g["params"]:
                w.sub_(g["lr"] * orthogonalize(w.grad))
