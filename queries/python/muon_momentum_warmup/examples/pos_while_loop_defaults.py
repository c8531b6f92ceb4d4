# example: a while loop counts steps with step += 1 and writes 0.85 -> 0.95 (over 300 steps) into the orthogonal optimizer's defaults and groups through a helper taking the step; positive (while loop, helper with constants from a dict).
import torch

SCHED = {"m0": 0.85, "m1": 0.95, "warm": 300}


def ramp(t):
    w = min(t / SCHED["warm"], 1.0)
    return SCHED["m0"] * (1 - w) + SCHED["m1"] * w


def ortho(G):
    U, _, Vh = torch.linalg.svd(G, full_matrices=False)
    return U @ Vh


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.05, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            for p in g["params"]:
                b = self.state[p].setdefault("b", torch.zeros_like(p))
                b.mul_(g["momentum"]).add_(p.grad)
                p.add_(ortho(b), alpha=-g["lr"])


ws = [torch.nn.Parameter(torch.randn(256, 256)) for _ in range(3)]
opt = Ortho(ws)
step = 0
while step < 1000:
    sum(w.square().sum() for w in ws).backward()
    for g in opt.param_groups:
        g["momentum"] = ramp(step)
    opt.step()
    opt.zero_grad()
    step += 1
