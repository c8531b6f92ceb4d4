# example: the Muon optimizer over the hidden matrices is constructed with lr=0.05; Muon LR 0.05 is present.
import torch
from torch import nn


def zeropower_via_newtonschulz5(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.to(G.dtype)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower_via_newtonschulz5(buf), alpha=-group["lr"])


blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
matrix_params = [p for p in blocks.parameters() if p.ndim == 2]
optimizer3 = Muon(matrix_params, lr=0.05, momentum=0.95)
