# example: the decay field is float("0.1"), a nonzero decay spelled through a conversion; negative.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    learning_rate: float = 0.0036
    weight_decay: float = float("0.1")


args = Hyperparameters()
model = torch.nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=args.weight_decay)
