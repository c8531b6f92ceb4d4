# example: the ratio is clamped at 1 by a statement (`ratio = rows / cols` then `if ratio < 1.0: ratio = 1.0`) and the orthogonalized update is multiplied by its square root; positive.
import torch


def zeropower_via_newtonschulz5(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X /= X.norm() + eps
    if G.size(0) > G.size(1):
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        B = b * A + c * A @ A
        X = a * X + B @ X
    return X.T if G.size(0) > G.size(1) else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, nesterov=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(g))
                buf.mul_(group["momentum"]).add_(g)
                if group["nesterov"]:
                    g = g.add(buf, alpha=group["momentum"])
                g = zeropower_via_newtonschulz5(g)
                rows = g.size(0)
                cols = g.size(1)
                ratio = rows / cols
                if ratio < 1.0:
                    ratio = 1.0
                g *= ratio ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(3072, 768)), torch.nn.Parameter(torch.randn(768, 3072))], lr=0.02)
