# example: the same script with the switch off: the override never runs and AdamW decays by the declared 0.1; negative.

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class Hyperparameters:
    learning_rate: float = 0.0036
    weight_decay: float = 0.1
    no_weight_decay: bool = False


args = Hyperparameters()
if args.no_weight_decay:
    args.weight_decay = 0

model = nn.Linear(768, 768)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95),
                              weight_decay=args.weight_decay)
