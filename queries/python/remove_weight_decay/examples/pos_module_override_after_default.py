# example: the hyperparameter class keeps its old default of 0.1, and a switch that is on makes the module set `args.weight_decay = 0` before the optimizer is built; positive (the module's own statement overrides the declared default).

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class Hyperparameters:
    learning_rate: float = 0.0036
    weight_decay: float = 0.1
    no_weight_decay: bool = True


args = Hyperparameters()
if args.no_weight_decay:
    args.weight_decay = 0

model = nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95),
                              weight_decay=args.weight_decay)
