# example: eps comes from a dataclass field (1e-10) and is passed as the fourth positional argument of torch.optim.Adam; a third spelling.
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class OptConfig:
    lr: float = 0.008
    beta1: float = 0.8
    beta2: float = 0.95
    eps: float = 1e-10


def build(head: nn.Module, cfg: OptConfig):
    return torch.optim.Adam(head.parameters(), cfg.lr, (cfg.beta1, cfg.beta2), cfg.eps)


head = nn.Linear(768, 50304, bias=False)
opt = build(head, OptConfig())
