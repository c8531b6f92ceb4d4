# example: the clamped ratio is kept in a local, aspect = max(1.0, rows / cols), and the step takes math.sqrt(aspect); present.
import math

import torch
from torch.optim import Optimizer


class PolarMomentum(Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for grp in self.param_groups:
            for w in grp["params"]:
                m = self.state[w].setdefault("m", torch.zeros_like(w))
                m.mul_(grp["beta"]).add_(w.grad)
                U, _, Vh = torch.linalg.svd(w.grad + grp["beta"] * m, full_matrices=False)
                rows, cols = w.shape
                aspect = max(1.0, rows / cols)
                factor = math.sqrt(aspect)
                w.add_(U @ Vh, alpha=-grp["lr"] * factor)


opt = PolarMomentum([torch.nn.Parameter(torch.randn(3072, 768))])
