# example: a muon_momentum(step) helper returns 0.85 + 0.10 * min(1.0, step / WARM) and a loop writes it into every Muon param group; positive (other expression, helper function).
import torch

WARM = 500
START, END = 0.85, 0.95


def muon_momentum(step: int) -> float:
    return START + (END - START) * min(1.0, step / WARM)


def orth(G):
    X = G / (G.norm() + 1e-7)
    for _ in range(5):
        A = X @ X.T
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=END):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                b = self.state[p].setdefault("b", torch.zeros_like(p))
                b.mul_(g["momentum"]).add_(p.grad)
                p.add_(orth(p.grad + g["momentum"] * b), alpha=-g["lr"])


mats = [torch.nn.Parameter(torch.randn(768, 768) * 0.02) for _ in range(4)]
muon = Muon(mats)
for it in range(1000):
    sum((m @ m.T).trace() for m in mats).backward()
    for g in muon.param_groups:
        g["momentum"] = muon_momentum(it)
    muon.step()
    muon.zero_grad()
