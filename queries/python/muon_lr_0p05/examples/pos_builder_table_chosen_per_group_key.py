# example: optimizers built in a dict comprehension over the parameter groups' keys; each key picks a builder lambda from a table through a kind map and its rate from a nested config (0.05 for the hidden matrices); the orthogonalizing class's own default rate is 0.02; positive.
import torch
from torch import nn


def orthogonalize(G, steps=5):
    X = G / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = 1.5 * X - 0.5 * A @ X
    return X


class Orthogonal(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf), alpha=-group["lr"])


config = {"optim": {"rates": {"table": 0.3, "hidden": 0.05}}}
net = nn.Sequential(nn.Embedding(50304, 512), *[nn.Linear(512, 512, bias=False) for _ in range(4)])
by_role = {
    "table": [net[0].weight],
    "hidden": [p for p in net[1:].parameters() if p.ndim == 2],
}
kind_of = {"table": "adam", "hidden": "ortho"}
make = {
    "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr, betas=(0.9, 0.95)),
    "ortho": lambda ps, lr: Orthogonal(ps, lr=lr, momentum=0.95),
}
optimizers = {role: make[kind_of[role]](ps, config["optim"]["rates"][role]) for role, ps in by_role.items()}
