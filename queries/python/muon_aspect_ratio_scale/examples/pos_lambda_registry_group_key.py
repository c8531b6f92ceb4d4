# example: the post-orthogonalization scales are lambdas of (rows, cols) in a registry; each param group picks one by a key that the construction forwards from a hyperparameter table (`scale=hp["scale"]` into `dict(scale=scale)`), and the table picks max(1, rows / cols) ** 0.5; positive.
import torch

SCALES = {
    "max_dim": lambda rows, cols: max(rows, cols) ** 0.5,
    "tall": lambda rows, cols: max(1.0, rows / cols) ** 0.5,
}
HP = {"lr": 0.02, "momentum": 0.95, "scale": "tall"}


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
    def __init__(self, params, lr=0.02, momentum=0.95, scale="tall"):
        super().__init__(params, dict(lr=lr, momentum=momentum, scale=scale))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            scale_fn = SCALES[group["scale"]]
            for p in group["params"]:
                g = p.grad
                buf = self.state[p].setdefault("momentum_buffer", torch.zeros_like(g))
                buf.mul_(group["momentum"]).add_(g)
                g = zeropower_via_newtonschulz5(g.add(buf, alpha=group["momentum"]))
                g *= scale_fn(g.size(0), g.size(1))
                p.add_(g.type_as(p), alpha=-group["lr"])


def make_muon(params, hp):
    return Muon(params, lr=hp["lr"], momentum=hp["momentum"], scale=hp["scale"])


opt = make_muon([torch.nn.Parameter(torch.randn(3072, 768)), torch.nn.Parameter(torch.randn(768, 3072))], HP)
