# example: positive - the parameters are partitioned in a `dict(...)` walked with `.items()`, each partition's optimizer is chosen by testing its name, and the rates come from a dict handed to the builder as an argument (embedding 0.6, head 0.008, matrices 0.04, scalars 0.04).
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
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.mix = nn.Parameter(torch.ones(depth))
        self.lm_head = nn.Linear(d, vocab, bias=False)


RATES = {"tok": 0.6, "out": 0.008, "hidden": 0.04, "gains": 0.04}


def build(net, rates):
    parts = dict(
        tok=[net.wte.weight],
        out=[net.lm_head.weight],
        hidden=[p for p in net.blocks.parameters() if p.ndim == 2],
        gains=[net.mix],
    )
    made = []
    for part, plist in parts.items():
        if part == "hidden":
            made.append(Muon(plist, lr=rates[part], momentum=0.95))
        else:
            made.append(torch.optim.Adam(plist, lr=rates[part], betas=(0.8, 0.95)))
    return made


optimizers = build(Net(), RATES)
