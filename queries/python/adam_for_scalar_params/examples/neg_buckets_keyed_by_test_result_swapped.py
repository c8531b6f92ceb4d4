# example: parameters sorted by the truth of a rank test (`by_rank[w.dim() > 1].append(w)`), but the orthogonalizing optimizer is handed `by_rank[False]` (the gains and the temperature) and Adam `by_rank[True]` (the matrices); negative.
from collections import defaultdict

import torch
from torch import nn


def polar_factor(m, rounds=5):
    y = m / (m.norm() + 1e-7)
    for _ in range(rounds):
        g = y @ y.mT
        y = 3.4445 * y - 4.7750 * g @ y + 2.0315 * g @ g @ y
    return y


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, beta=0.95):
        super().__init__(params, {"lr": lr, "beta": beta})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for w in group["params"]:
                state = self.state[w]
                if "m" not in state:
                    state["m"] = torch.zeros_like(w)
                state["m"].mul_(group["beta"]).add_(w.grad)
                w.sub_(group["lr"] * polar_factor(state["m"]))


class Mixer(nn.Module):
    def __init__(self, width=128):
        super().__init__()
        self.inp = nn.Linear(width, 4 * width, bias=False)
        self.out = nn.Linear(4 * width, width, bias=False)
        self.skip_gate = nn.Parameter(torch.zeros(width))
        self.temperature = nn.Parameter(torch.tensor(1.0))


layers = nn.ModuleList([Mixer() for _ in range(4)])
by_rank = defaultdict(list)
for w in layers.parameters():
    by_rank[w.dim() > 1].append(w)
opt_matrices = OrthoSGD(by_rank[False], lr=0.05)
opt_rest = torch.optim.Adam(by_rank[True], lr=0.04, betas=(0.8, 0.95))
