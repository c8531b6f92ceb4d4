# example: the helper takes the root of the ratio only when it is below 1, ratio ** 0.5 if ratio < 1 else 1.0: wide matrices shrink, tall ones are left alone; NOT present.
import torch
from torch.optim import Optimizer


def tall_gain(rows, cols):
    ratio = rows / cols
    return ratio ** 0.5 if ratio < 1 else 1.0


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
                update = U @ Vh
                update *= tall_gain(update.size(0), update.size(1))
                w.add_(update, alpha=-grp["lr"])


opt = PolarMomentum([torch.nn.Parameter(torch.randn(3072, 768))])
