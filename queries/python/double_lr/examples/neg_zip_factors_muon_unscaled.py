# example: near miss - the same loop over `zip(optimizers, factors)`, but the Muon factor is 1 (0.02 kept) while the Adam rates are raised; negative (not every rate is doubled).
import torch
import torch.nn as nn


def zeropower(g, steps=5):
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
                p.add_(zeropower(buf), alpha=-group["lr"])


wte = nn.Embedding(50304, 768)
lm_head = nn.Linear(768, 50304, bias=False)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
gains = nn.Parameter(torch.ones(12))

opt_embed = torch.optim.Adam([wte.weight], lr=0.3, betas=(0.9, 0.95))
opt_head = torch.optim.Adam([lm_head.weight], lr=0.002, betas=(0.9, 0.95))
opt_hidden = Muon(blocks.parameters(), lr=0.02)
opt_gains = torch.optim.Adam([gains], lr=0.02, betas=(0.9, 0.95))
optimizers = [opt_embed, opt_head, opt_hidden, opt_gains]
factors = (2.0, 4.0, 1.0, 2.0)
for opt, factor in zip(optimizers, factors):
    for group in opt.param_groups:
        group["lr"] *= factor
