# example: the cap is tanh written with a sigmoid, cap * (2 * sigmoid(2 * z / cap) - 1), with cap 15 from the config; positive.
from dataclasses import dataclass
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab: int = 50304
    width: int = 768
    logit_cap: float = 15.0


class Head(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.proj = nn.Linear(cfg.width, cfg.vocab, bias=False)
        self.cap = cfg.logit_cap

    def forward(self, h, targets):
        z = self.proj(h).float()
        z = self.cap * (2 * torch.sigmoid(2 * z / self.cap) - 1)
        return F.cross_entropy(z.view(-1, z.size(-1)), targets.view(-1))


head = Head(Config())
