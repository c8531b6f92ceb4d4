# example: near miss - the routine folds the stack to three dimensions and iterates with torch.bmm, but divides by one norm of the whole stack (a sum of squares over every dimension), not one per matrix; negative.
import torch
import torch.nn as nn


def orthogonalize_stack(U, iters=5):
    assert U.ndim >= 2
    lead, (m, n) = U.shape[:-2], U.shape[-2:]
    X = U.bfloat16().reshape(-1, m, n)
    wide = m > n
    if wide:
        X = X.transpose(1, 2)
    size = X.float().pow(2).sum().sqrt()
    X = X / (size.to(X.dtype) + 1e-7)
    for _ in range(iters):
        G = torch.bmm(X, X.transpose(1, 2))
        H = torch.baddbmm(G, G, G, beta=-4.7750, alpha=2.0315)
        X = torch.baddbmm(X, H, X, beta=3.4445, alpha=1.0)
    if wide:
        X = X.transpose(1, 2)
    return X.reshape(*lead, m, n).to(U.dtype)


class StackMomentum(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, beta=0.95):
        params = [p for p in params if p.ndim >= 2]
        super().__init__(params, dict(lr=lr, beta=beta))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.lerp_(p.grad, 1 - group["beta"])
                p.add_(orthogonalize_stack(p.grad.lerp(v, group["beta"])), alpha=-group["lr"])


qkv = nn.Parameter(torch.randn(3, 256, 256) / 16)
opt = StackMomentum([qkv])
(qkv ** 2).sum().backward()
opt.step()
