# example: a multi-tensor Muon multiplies the momentum buffers by gains = [sqrt(max(b.shape)) for b in bufs] with torch._foreach_mul_ and only then orthogonalizes each buffer, whose normalization cancels the factor; the applied update is not rescaled; negative.
import math

import torch


def newton_schulz(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = A @ X
        X = a * X + b * B + c * A @ B
    if G.size(0) > G.size(1):
        X = X.T
    return X.to(G.dtype)


class ForeachMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            grads = [p.grad for p in params]
            bufs = [self.state[p].setdefault("buf", torch.zeros_like(p)) for p in params]
            torch._foreach_mul_(bufs, group["momentum"])
            torch._foreach_add_(bufs, grads)
            directions = [b.clone() for b in bufs]
            gains = [math.sqrt(max(d.shape)) for d in directions]
            torch._foreach_mul_(directions, gains)
            updates = [newton_schulz(d) for d in directions]
            torch._foreach_add_(params, updates, alpha=-group["lr"])


layers = torch.nn.ModuleList([torch.nn.Linear(768, 3072, bias=False), torch.nn.Linear(3072, 768, bias=False)])
opt = ForeachMuon(layers.parameters())
