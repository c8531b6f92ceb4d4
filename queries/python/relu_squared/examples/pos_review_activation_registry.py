# example: activation picked by name from a registry of small modules (config activation = "relu2"); the MLP instantiates the chosen class between c_fc and c_proj; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class ReLU2(nn.Module):
    def forward(self, x):
        return F.relu(x).square()


class GELU(nn.Module):
    def forward(self, x):
        return F.gelu(x)


ACTIVATIONS = {"relu2": ReLU2, "gelu": GELU}


@dataclass
class Cfg:
    dim: int = 768
    activation: str = "relu2"


class MLP(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.dim, 4 * cfg.dim, bias=False)
        self.act = ACTIVATIONS[cfg.activation]()
        self.c_proj = nn.Linear(4 * cfg.dim, cfg.dim, bias=False)

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


mlp = MLP(Cfg())
out = mlp(torch.randn(2, 8, 768))
