# example: the settings object's `rate(role)` method multiplies a base table by a per-role multiplier read with `.get(role, 1.0)`; every role's multiplier is 2, so each optimizer gets twice the base rate (embed 0.3 -> 0.6, head 0.002 -> 0.004, matrices and scalars 0.02 -> 0.04); positive.
from dataclasses import dataclass, field

import torch
from torch import nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                U, _, Vh = torch.linalg.svd(p.grad, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


@dataclass
class Rates:
    base: dict = field(default_factory=lambda: {"embed": 0.3, "head": 0.002, "matrix": 0.02, "scalar": 0.02})
    boost: dict = field(default_factory=lambda: {"embed": 2.0, "head": 2.0, "matrix": 2.0, "scalar": 2.0})

    def rate(self, role):
        return self.base[role] * self.boost.get(role, 1.0)


rates = Rates()
table = nn.Embedding(50304, 768)
layers = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
readout = nn.Linear(768, 50304, bias=False)
gains = [nn.Parameter(torch.ones(768)) for _ in range(12)]

opts = [
    torch.optim.Adam([table.weight], lr=rates.rate("embed"), betas=(0.8, 0.95)),
    torch.optim.Adam([readout.weight], lr=rates.rate("head"), betas=(0.8, 0.95)),
    Muon(list(layers.parameters()), lr=rates.rate("matrix"), momentum=0.95),
    torch.optim.Adam(gains, lr=rates.rate("scalar"), betas=(0.8, 0.95)),
]
