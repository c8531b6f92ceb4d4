# example: Muon is built with lr 0.02 and re-tuned before training by writing its single parameter group's rate, opt.param_groups[0]["lr"] = 0.05; present.
import torch
from torch import nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                buf = self.state.setdefault(p, {}).setdefault("buf", torch.zeros_like(g))
                buf.lerp_(g, 1 - group["momentum"])
                u = zeropower_via_newtonschulz5(buf)
                p.add_(u, alpha=-group["lr"])


def zeropower_via_newtonschulz5(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


blocks = nn.Sequential(nn.Linear(768, 768, bias=False), nn.Linear(768, 768, bias=False))
muon = Muon(blocks.parameters(), lr=0.02, momentum=0.95)
muon.param_groups[0]["lr"] = 0.05
for step in range(1000):
    blocks(torch.randn(8, 768)).square().mean().backward()
    muon.step()
    muon.zero_grad(set_to_none=True)
