# example: a helper of the dimensions returns ratio ** 0.5 if ratio > 1 else 1.0 with ratio = rows / cols (the test compares the ratio with 1, not rows with cols), and its value scales the orthogonalized update; positive (equivalent expression).
import torch
from torch.optim import Optimizer


def tall_gain(rows, cols):
    ratio = rows / cols
    return ratio ** 0.5 if ratio > 1 else 1.0


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
