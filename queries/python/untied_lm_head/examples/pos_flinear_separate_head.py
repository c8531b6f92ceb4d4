# example: config dataclass model with `from torch import Tensor, nn`; the token table is self.tok and logits are F.linear(x, self.readout.weight) with a separate readout Linear; positive (F.linear spelling with its own weight).
from dataclasses import dataclass
import torch
from torch import Tensor, nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab: int = 50304
    width: int = 768
    depth: int = 12


class Net(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.tok = nn.Embedding(cfg.vocab, cfg.width)
        self.layers = nn.ModuleList(nn.Linear(cfg.width, cfg.width, bias=False) for _ in range(cfg.depth))
        self.readout = nn.Linear(cfg.width, cfg.vocab, bias=False)

    def forward(self, ids: Tensor) -> Tensor:
        x = self.tok(ids)
        for layer in self.layers:
            x = x + layer(F.rms_norm(x, (x.size(-1),)))
        return F.linear(F.rms_norm(x, (x.size(-1),)), self.readout.weight)
