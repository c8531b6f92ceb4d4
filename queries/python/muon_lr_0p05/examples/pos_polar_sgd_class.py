# example: a PolarSGD optimizer whose step replaces each momentum update with quintic_polar(), a normalized 5-step Newton-Schulz quintic on the Gram matrix, is built for the hidden matrices with lr=0.05; positive.
import torch
import torch.nn as nn


def quintic_polar(G, iters=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16()
    X = X / (X.norm() + 1e-7)
    tall = X.size(0) > X.size(1)
    if tall:
        X = X.T
    for _ in range(iters):
        A = X @ X.T
        X = a * X + b * A @ X + c * A @ A @ X
    if tall:
        X = X.T
    return X.to(G.dtype)


class PolarSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                direction = quintic_polar(p.grad.add(buf, alpha=group["momentum"]))
                p.add_(direction, alpha=-group["lr"])


net = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768))
hidden = [p for p in net.parameters() if p.ndim == 2 and p.size(0) != 50304]
embed = [net[0].weight]
opts = [
    torch.optim.Adam(embed, lr=0.6, betas=(0.8, 0.95)),
    PolarSGD(hidden, lr=0.05, momentum=0.95),
]
