# example: the file's own orthogonalizing optimizer gets its learning rate from the param-group dict (lr computed as 0.1 / 2); Muon at 0.05 through a group entry.
import torch
from torch import nn


def newton_schulz(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(newton_schulz(buf), alpha=-group["lr"])


MATRIX_LR = 0.1 / 2
layers = nn.ModuleList(nn.Linear(512, 512, bias=False) for _ in range(8))
opt = OrthoMomentum([dict(params=[p for p in layers.parameters() if p.ndim == 2], lr=MATRIX_LR)], momentum=0.95)
