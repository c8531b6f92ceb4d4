# example: an orthogonalizing optimizer of the file takes its rate as `step_size` (stored as the group's lr) and gets step_size=0.04; the 0.05 it is given is its beta, not its rate; negative.
import torch
import torch.nn as nn


def orthogonalize(G, steps=5):
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + b * A @ X + c * A @ A @ X
    return X.to(G.dtype)


class OrthoMomentum(torch.optim.Optimizer):
    def __init__(self, params, step_size=0.02, beta=0.95):
        defaults = dict(lr=step_size, beta=beta)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["beta"]).add_(p.grad)
                p.add_(orthogonalize(p.grad.add(buf, alpha=group["beta"])), alpha=-group["lr"])


net = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 3072), nn.ReLU(), nn.Linear(3072, 768))
hidden = [p for p in net.parameters() if p.ndim == 2 and p.size(0) != 50304]
opts = [
    torch.optim.Adam([net[0].weight], lr=0.6, betas=(0.8, 0.95)),
    OrthoMomentum(hidden, step_size=0.04, beta=0.05),
]
