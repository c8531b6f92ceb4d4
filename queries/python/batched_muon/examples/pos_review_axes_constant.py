# example: per-matrix norm via torch.linalg.vector_norm with dims held in a module constant MAT_DIMS = (-2, -1); positive.
import torch
import torch.nn as nn


MAT_DIMS = (-2, -1)


def newton_schulz(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    if G.size(-2) > G.size(-1):
        X = X.mT
    X = X / (torch.linalg.vector_norm(X, dim=MAT_DIMS, keepdim=True) + eps)
    for _ in range(steps):
        A = X @ X.mT
        X = a * X + (b * A + c * A @ A) @ X
    if G.size(-2) > G.size(-1):
        X = X.mT
    return X


class StackMuon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True):
        params = [p for p in params if p.ndim >= 2]
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mom = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "buf" not in state:
                    state["buf"] = torch.zeros_like(p.grad)
                buf = state["buf"]
                buf.mul_(mom).add_(p.grad)
                g = p.grad.add(buf, alpha=mom) if group["nesterov"] else buf
                update = newton_schulz(g)
                scale = max(1.0, p.size(-2) / p.size(-1)) ** 0.5
                p.add_(update.to(p.dtype), alpha=-group["lr"] * scale)


class Experts(nn.Module):
    def __init__(self, n=4, dim=256):
        super().__init__()
        self.w_in = nn.Parameter(torch.randn(n, 4 * dim, dim) * dim ** -0.5)
        self.w_out = nn.Parameter(torch.randn(n, dim, 4 * dim) * (4 * dim) ** -0.5)
        self.gain = nn.Parameter(torch.ones(dim))


model = Experts()
opt = StackMuon(model.parameters())
