# example: near miss - the same partitions and looked-up specs, but the spec of the scalar partition also says "ortho", so every block parameter goes to Muon and no Adam gets the scalars; negative.
import torch
import torch.nn as nn


def orthogonalize(g, steps=5):
    x = g / (g.norm() + 1e-7)
    for _ in range(steps):
        a = x @ x.T
        x = 3.4445 * x + (-4.7750 * a + 2.0315 * a @ a) @ x
    return x


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf), alpha=-group["lr"])


class Net(nn.Module):
    def __init__(self, d=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(50304, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.lambdas = nn.Parameter(torch.ones(depth, 2))
        self.head = nn.Linear(d, 50304, bias=False)


SPECS = {
    "tok": {"kind": "adam", "lr": 0.6},
    "out": {"kind": "adam", "lr": 0.008},
    "mats": {"kind": "ortho", "lr": 0.04},
    "small": {"kind": "ortho", "lr": 0.04},
}


def partitions(net):
    every = [p for b in net.blocks for p in b.parameters()] + [net.lambdas]
    return {
        "tok": [net.wte.weight],
        "out": [net.head.weight],
        "mats": [p for p in every if p.ndim >= 2],
        "small": [p for p in every if p.ndim < 2],
    }


def build(net):
    made = {}
    for part, plist in partitions(net).items():
        spec = SPECS[part]
        if spec["kind"] == "ortho":
            made[part] = Muon(plist, lr=spec["lr"])
        else:
            made[part] = torch.optim.Adam(plist, lr=spec["lr"], betas=(0.8, 0.95))
    return made


optimizers = build(Net())
