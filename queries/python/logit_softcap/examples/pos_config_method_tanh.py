# example: the cap comes from a dataclass field (logit_cap = 30.0) and is applied as cap * (z / cap).tanh() in a separate head module; positive (method-call spelling, configured constant).
from dataclasses import dataclass
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class HeadConfig:
    width: int = 768
    vocab: int = 50304
    logit_cap: float = 30.0


class CappedHead(nn.Module):
    def __init__(self, cfg: HeadConfig):
        super().__init__()
        self.cap = cfg.logit_cap
        self.proj = nn.Linear(cfg.width, cfg.vocab, bias=False)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        z = self.proj(h)
        return self.cap * (z / self.cap).tanh()


head = CappedHead(HeadConfig())
h = torch.randn(2, 16, 768)
y = torch.randint(0, 50304, (2, 16))
loss = F.cross_entropy(head(h).float().flatten(0, 1), y.flatten())
