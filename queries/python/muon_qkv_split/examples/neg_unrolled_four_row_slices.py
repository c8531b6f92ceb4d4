# example: the (4d, d) MLP gradient is cut into four row blocks written out one by one under rows == 4 * cols, while the QKV weight is orthogonalized whole; negative (other shape).
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
                if rows == 4 * cols:
                    b0 = zeropower(g[0 * cols:1 * cols])
                    b1 = zeropower(g[1 * cols:2 * cols])
                    b2 = zeropower(g[2 * cols:3 * cols])
                    b3 = zeropower(g[3 * cols:4 * cols])
                    update = torch.cat([b0, b1, b2, b3], dim=0)
                else:
                    update = zeropower(g)
                p.add_(update, alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(32, 8))])
