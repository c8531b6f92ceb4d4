# example: the scale is torch.tensor(max(rows, cols)).sqrt() with rows, cols unpacked from the gradient's shape, stored in a local and multiplied into the orthogonalized update; positive (tensor spelling through a local).
import torch


def newton_schulz(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Orth(torch.optim.Optimizer):
    def __init__(self, params, lr=3.6e-4, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                rows, cols = p.grad.shape
                upd = newton_schulz(p.grad + group["momentum"] * buf)
                gain = torch.tensor(max(rows, cols)).sqrt()
                p.sub_(group["lr"] * gain * upd)


opt = Orth([torch.nn.Parameter(torch.randn(768, 3072))])
