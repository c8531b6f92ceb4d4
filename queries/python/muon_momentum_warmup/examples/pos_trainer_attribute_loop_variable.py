# example: a trainer object whose training loop assigns its own attribute (for self.it in range(...)); each pass writes 0.85 -> 0.95 over 300 steps into the orthogonalizing optimizer's groups, read from self.it; positive.
import torch


def orthogonalize(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf), alpha=-group["lr"])


class Trainer:
    def __init__(self, model, iters=3000):
        self.model = model
        self.iters = iters
        self.opt = Ortho([p for p in model.parameters() if p.ndim == 2])

    def fit(self):
        for self.it in range(self.iters):
            self.model(torch.randn(4, 32)).square().mean().backward()
            ramp = min(self.it / 300, 1)
            for g in self.opt.param_groups:
                g["momentum"] = 0.85 * (1 - ramp) + 0.95 * ramp
            self.opt.step()
            self.model.zero_grad(set_to_none=True)


Trainer(torch.nn.Linear(32, 32, bias=False)).fit()
