# example: the name-built lookup globals()[f"zeropower_via_{group['backend']}"] may also pick zeropower_via_identity, which only normalises, so the scaled update is not known to be orthogonalized; negative.
import math
import torch


def zeropower_via_newtonschulz5(G, steps=5, eps=1e-7):
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


def zeropower_via_identity(G, steps=5):
    return G / (G.norm() + 1e-7)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="newtonschulz5"):
        super().__init__(params, dict(lr=lr, momentum=momentum, backend=backend))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            zeropower = globals()[f"zeropower_via_{group['backend']}"]
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                update = zeropower(buf)
                update *= math.sqrt(max(update.size(0), update.size(1)))
                p.data.add_(update, alpha=-group["lr"])
