# example: the fused (3d, d) QKV gradient is cut into its three row blocks written out one by one (g[0 * d:1 * d], g[1 * d:2 * d], g[2 * d:3 * d]), each orthogonalized by its own call; positive (unrolled slices).
import torch
from torch.optim import Optimizer


def zeropower(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Muon(Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, {"lr": lr, "momentum": momentum})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                g = p.grad.add(buf, alpha=group["momentum"])
                rows, cols = g.shape
                if rows == 3 * cols:
                    q = zeropower(g[0 * cols:1 * cols])
                    k = zeropower(g[1 * cols:2 * cols])
                    v = zeropower(g[2 * cols:3 * cols])
                    update = torch.cat([q, k, v], dim=0)
                else:
                    update = zeropower(g)
                p.add_(update, alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(24, 8))])
