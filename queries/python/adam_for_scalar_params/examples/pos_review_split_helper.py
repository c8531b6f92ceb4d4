# example: a split_by_rank(module) helper returns (matrices, others) using p.dim() == 2 in a ternary-selected append; Muon gets the matrices, Adam the others; positive.
import torch
import torch.nn as nn


def zeropower(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(zeropower(buf).type_as(p), alpha=-group["lr"])


def split_by_rank(module):
    matrices, others = [], []
    for p in module.parameters():
        (matrices if p.dim() == 2 else others).append(p)
    return matrices, others


layers = nn.Sequential(nn.Linear(256, 1024, bias=False), nn.LayerNorm(1024), nn.Linear(1024, 256, bias=False))
matrix_params, scalar_params = split_by_rank(layers)
muon = Muon(matrix_params, lr=0.05)
adam = torch.optim.Adam(scalar_params, lr=0.04, betas=(0.8, 0.95), eps=1e-10)
