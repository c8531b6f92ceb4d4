# example: four optimizers at doubled rates, stepped together by a list class of the file whose step only calls theirs; positive.
import torch
import torch.nn as nn


def orthogonalize(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X - 4.7750 * A @ X + 2.0315 * A @ A @ X
    return X


class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf), alpha=-group["lr"])


class OptimizerList:
    def __init__(self, optimizers):
        self.optimizers = optimizers

    def step(self):
        for opt in self.optimizers:
            opt.step()


embed = nn.Embedding(50304, 768)
head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768) for _ in range(12))
mats = [p for p in blocks.parameters() if p.ndim == 2]
vecs = [p for p in blocks.parameters() if p.ndim < 2]
opts = OptimizerList([
    torch.optim.Adam(embed.parameters(), lr=0.6, betas=(0.9, 0.95)),
    torch.optim.Adam(head.parameters(), lr=0.008, betas=(0.9, 0.95)),
    Orthogonal(mats, lr=0.04),
    torch.optim.Adam(vecs, lr=0.04, betas=(0.9, 0.95)),
])
