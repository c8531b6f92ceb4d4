# example: one loop buckets block parameters into a dict keyed by a number and a string (`buckets[2 if p.ndim == 2 else "low"].append(p)`); the matrices, `buckets[2]`, go to a Newton-Schulz optimizer, the rest, `buckets["low"]`, to Adam; positive.
import torch
import torch.nn as nn


def orthogonalize(G, steps=5):
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
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


class Block(nn.Module):
    def __init__(self, d=256):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.gain = nn.Parameter(torch.ones(d))


blocks = nn.ModuleList(Block() for _ in range(6))
buckets = {2: [], "low": []}
for p in blocks.parameters():
    buckets[2 if p.ndim == 2 else "low"].append(p)
optimizers = [
    Muon(buckets[2], lr=0.05),
    torch.optim.Adam(buckets["low"], lr=0.04, betas=(0.8, 0.95)),
]
