# example: near miss - the orthogonalized update is scaled by sqrt(numel) / 32 and a max(...) of the shape is only used in an assert; negative (not sqrt of the larger dimension).
import math
import torch


def ortho(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02):
        super().__init__(params, dict(lr=lr))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                assert max(p.shape) <= 8192
                g = ortho(p.grad)
                p.add_(g, alpha=-group["lr"] * math.sqrt(p.numel()) / 32)


opt = Muon([torch.nn.Parameter(torch.randn(512, 512))])
