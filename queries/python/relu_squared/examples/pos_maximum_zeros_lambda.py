# example: Activation selected from a dict of lambdas keyed by a config string; default "relu2" = torch.maximum against a zero tensor, squared; positive.
from dataclasses import dataclass
import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {
    "gelu": F.gelu,
    "silu": F.silu,
    "relu2": lambda t: torch.maximum(t, torch.zeros_like(t)).square(),
}


@dataclass
class Cfg:
    dim: int = 768
    hidden_mult: int = 4
    act: str = "relu2"


class MLP(nn.Module):
    def __init__(self, cfg: Cfg):
        super().__init__()
        self.fc_in = nn.Linear(cfg.dim, cfg.hidden_mult * cfg.dim, bias=False)
        self.fc_out = nn.Linear(cfg.hidden_mult * cfg.dim, cfg.dim, bias=False)
        self.act = ACTIVATIONS[cfg.act]

    def forward(self, x):
        return self.fc_out(self.act(self.fc_in(x)))


mlp = MLP(Cfg())
y = mlp(torch.randn(2, 4, 768))
