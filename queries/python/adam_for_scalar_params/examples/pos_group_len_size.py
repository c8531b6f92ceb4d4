# example: record-18-style layout - len(p.size()) splits model parameters, the scalar side is a dict(params=..., lr=0.04) group of one Adam, the matrix side goes to the file's Muon; positive (len(size()) test, param group).
import torch
from torch import nn


def zeropower(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.mT
        X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(zeropower(p.grad.lerp(buf, group["momentum"])).type_as(p), alpha=-group["lr"])


model = nn.ModuleDict(dict(blocks=nn.ModuleList(nn.Linear(768, 768) for _ in range(12))))
hidden = [p for p in model["blocks"].parameters() if len(p.size()) >= 2]
scalar_params = [p for p in model.parameters() if len(p.size()) < 2]
adam = torch.optim.Adam([dict(params=scalar_params, lr=0.04)], betas=(0.8, 0.95), eps=1e-10)
muon = Muon(hidden, lr=0.05, momentum=0.95)
