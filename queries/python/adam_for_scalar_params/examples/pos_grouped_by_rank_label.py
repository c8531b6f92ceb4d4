# example: each parameter labelled by a helper ("matrix" if it has two dimensions, else "scalar"), sorted and grouped with itertools.groupby on that label, the groups read back by label for the orthogonalizing optimizer and Adam; positive.
import itertools

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


def kind_of(w):
    return "matrix" if w.dim() == 2 else "scalar"


layers = nn.ModuleList([Mixer() for _ in range(4)])
ordered = sorted(layers.parameters(), key=kind_of)
by_kind = {kind: list(group) for kind, group in itertools.groupby(ordered, key=kind_of)}
opt_matrices = OrthoSGD(by_kind["matrix"], lr=0.05)
opt_rest = torch.optim.Adam(by_kind["scalar"], lr=0.04, betas=(0.8, 0.95))
