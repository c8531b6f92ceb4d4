# example: the optimizer is handed its orthogonalizer as an __init__ parameter whose default is a Newton-Schulz function, keeps it as self.orthogonalize and calls it in step; positive.
import torch
import torch.nn as nn


def newton_schulz(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + eps)
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    if G.size(0) > G.size(1):
        X = X.T
    return X.to(G.dtype)


class Orthogonalized(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, orthogonalize=newton_schulz):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.orthogonalize = orthogonalize

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.data.add_(self.orthogonalize(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


model = nn.Sequential(nn.Linear(768, 3072, bias=False), nn.Linear(3072, 768, bias=False))
opt = Orthogonalized(model.parameters(), lr=0.02)
for _ in range(10):
    loss = model(torch.randn(8, 768)).square().mean()
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)
