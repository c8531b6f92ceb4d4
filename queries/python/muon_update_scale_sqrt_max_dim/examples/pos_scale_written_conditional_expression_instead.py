# example: Scale written as a conditional expression instead of max(): the larger dimension is picked with if/else; positive.
import torch


def zeropower(G, steps=5, eps=1e-7):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16()
    X = X / (X.norm() + eps)
    flip = G.size(0) > G.size(1)
    if flip:
        X = X.T
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if flip else X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(g))
                buf.mul_(group["momentum"]).add_(g)
                g = zeropower(g.add(buf, alpha=group["momentum"]))
                rows, cols = g.shape
                big = rows if rows > cols else cols
                g = g * big ** 0.5
                p.add_(g.type_as(p), alpha=-group["lr"])


opt = Muon([torch.nn.Parameter(torch.randn(3072, 768)), torch.nn.Parameter(torch.randn(768, 768))])
