# example: a helper returns math.sqrt(rows / cols) if rows > cols else 1.0 for a weight, and the optimizer folds it into alpha; positive (conditional spelling in a helper).
import math

import torch


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X


def tall_scale(weight):
    rows, cols = weight.size(-2), weight.size(-1)
    return math.sqrt(rows / cols) if rows > cols else 1.0


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = orthogonalize(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(g.type_as(p), alpha=-group["lr"] * tall_scale(p))


opt = Muon([torch.nn.Parameter(torch.randn(3072, 768))])
