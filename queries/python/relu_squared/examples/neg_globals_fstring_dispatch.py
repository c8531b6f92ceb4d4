# example: the MLP picks its activation by name from the module namespace, `globals()[f"act_{config.activation}"]`, but the config selects GELU: the squared ReLU defined beside it never runs; negative.
from dataclasses import dataclass

import torch.nn as nn
import torch.nn.functional as F


def act_gelu(x):
    return F.gelu(x)


def act_relu2(x):
    return F.relu(x).square()


@dataclass
class Config:
    n_embd: int = 768
    activation: str = "gelu"


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)
        self.act = globals()[f"act_{config.activation}"]

    def forward(self, x):
        return self.proj(self.act(self.fc(x)))


config = Config()
model = MLP(config)
