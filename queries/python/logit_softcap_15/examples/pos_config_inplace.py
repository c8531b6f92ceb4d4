# example: the cap comes from a dataclass field (15.0) and is applied with an in-place div_/tanh_/mul_ chain on the output logits; same soft-cap, other spelling.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class HeadConfig:
    width: int = 768
    vocab: int = 50304
    logit_cap: float = 15.0


class OutputHead(nn.Module):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        self.cap = cfg.logit_cap
        self.proj = nn.Linear(cfg.width, cfg.vocab, bias=False)

    def forward(self, h, labels=None):
        scores = self.proj(h).float()
        scores.div_(self.cap).tanh_().mul_(self.cap)
        if labels is None:
            return scores
        return F.cross_entropy(scores.flatten(0, -2), labels.flatten())
