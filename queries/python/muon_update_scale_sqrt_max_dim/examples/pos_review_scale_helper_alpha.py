# example: a small helper returns math.sqrt(max(rows, cols)) for a weight shape and the optimizer folds it into alpha=-lr * rms_scale(p); positive (scale computed in a helper function).
import math

import torch


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    transposed = X.size(0) > X.size(1)
    if transposed:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X.T if transposed else X


def rms_scale(weight):
    rows, cols = weight.shape
    return math.sqrt(max(rows, cols))


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.00036, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                if "buf" not in st:
                    st["buf"] = torch.zeros_like(p)
                st["buf"].mul_(group["momentum"]).add_(p.grad)
                g = orthogonalize(p.grad.add(st["buf"], alpha=group["momentum"]))
                p.add_(g.type_as(p), alpha=-group["lr"] * rms_scale(p))


opt = OrthoMomentum([torch.nn.Parameter(torch.randn(768, 3072))])
