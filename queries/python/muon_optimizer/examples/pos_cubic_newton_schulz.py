# example: class called SpectralSGD whose update runs the cubic Newton-Schulz X <- 1.5 X - 0.5 X X^T X on the momentum buffer; positive (other coefficients and names, same orthogonalized update).
import torch
from torch.optim import Optimizer


class SpectralSGD(Optimizer):
    def __init__(self, params, lr=0.02, beta=0.9, iters=10):
        super().__init__(params, {"lr": lr, "beta": beta, "iters": iters})

    @staticmethod
    def _polar(M, iters):
        Y = M / (M.norm() + 1e-7)
        transposed = Y.shape[0] > Y.shape[1]
        if transposed:
            Y = Y.mT
        for _ in range(iters):
            Y = 1.5 * Y - 0.5 * (Y @ Y.mT) @ Y
        return Y.mT if transposed else Y

    @torch.no_grad()
    def step(self, closure=None):
        for grp in self.param_groups:
            for w in grp["params"]:
                if w.grad is None:
                    continue
                st = self.state[w]
                if "m" not in st:
                    st["m"] = torch.zeros_like(w)
                st["m"].lerp_(w.grad, 1 - grp["beta"])
                w.add_(self._polar(st["m"], grp["iters"]), alpha=-grp["lr"])


layers = torch.nn.ModuleList(torch.nn.Linear(512, 512, bias=False) for _ in range(6))
opt = SpectralSGD(layers.parameters(), lr=0.02)
