# example: near miss - the gain max(rows, cols) ** 0.5 comes out of the same tuple assignment but is only kept in the state; the parameter moves by lr * u; negative.
import torch


def polar(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 1.5 * X - 0.5 * A @ X
    return X


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                rows, cols = buf.shape
                u, gain = polar(buf), max(rows, cols) ** 0.5
                self.state[p]["gain"] = gain
                p.sub_(group["lr"] * u)


w = torch.nn.Parameter(torch.randn(64, 32))
opt = Ortho([w])
(w ** 2).sum().backward()
opt.step()
