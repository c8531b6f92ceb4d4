# example: parameters grouped under their number of dimensions in a dict of lists keyed 1 and 2 (`groups[t.ndim].append(t)`); the 2-D tensors go to the Newton-Schulz optimizer, the 1-D ones to Adam; positive.
import torch
import torch.nn as nn


def newton_schulz(G, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G / (G.norm() + 1e-7)
    for _ in range(iters):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class NSMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for t in group["params"]:
                buf = self.state[t].setdefault("buf", torch.zeros_like(t))
                buf.mul_(group["momentum"]).add_(t.grad)
                t.add_(newton_schulz(buf), alpha=-group["lr"])


class Layer(nn.Module):
    def __init__(self, d=192):
        super().__init__()
        self.proj = nn.Linear(d, d, bias=False)
        self.scale = nn.Parameter(torch.ones(d))


stack = nn.ModuleList(Layer() for _ in range(3))
groups = {1: [], 2: []}
for t in stack.parameters():
    groups[t.ndim].append(t)
optimizers = [NSMomentum(groups[2], lr=0.05), torch.optim.Adam(groups[1], lr=0.04, betas=(0.8, 0.95))]
