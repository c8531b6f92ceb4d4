# example: lr=0.05 is given to the scalar Adam optimizer while Muon stays at 0.04; the 0.05 never reaches Muon, so NOT present (near miss).
from dataclasses import dataclass

import torch
from torch import nn
from muon import Muon


@dataclass
class Hparams:
    muon_lr: float = 0.04
    scalar_lr: float = 0.05


hp = Hparams()
blocks = nn.ModuleList([nn.Linear(768, 768, bias=False) for _ in range(12)])
lambdas = nn.ParameterList([nn.Parameter(torch.tensor([1.0, 0.0])) for _ in range(12)])

optimizer3 = Muon([p for p in blocks.parameters()], lr=hp.muon_lr, momentum=0.95)
optimizer4 = torch.optim.Adam(list(lambdas), lr=hp.scalar_lr, betas=(0.8, 0.95))
