# example: a training config dataclass holds muon_lr = 0.05 and the imported Muon optimizer is created with lr=cfg.muon_lr; the value resolves to 0.05.
from dataclasses import dataclass

import torch
import torch.nn as nn
from muon import Muon


@dataclass
class TrainConfig:
    adam_lr: float = 0.008
    muon_lr: float = 0.05
    muon_momentum: float = 0.95


def make_optimizers(model: nn.Module, cfg: TrainConfig):
    hidden = [p for n, p in model.named_parameters() if p.ndim == 2 and "blocks" in n]
    rest = [p for n, p in model.named_parameters() if not (p.ndim == 2 and "blocks" in n)]
    adam = torch.optim.Adam(rest, lr=cfg.adam_lr, betas=(0.8, 0.95))
    muon = Muon(hidden, lr=cfg.muon_lr, momentum=cfg.muon_momentum)
    return [adam, muon]
