# example: the decay field is written float(), which is 0.0, and feeds AdamW's weight_decay; positive.
from dataclasses import dataclass

import torch


@dataclass
class Hyperparameters:
    learning_rate: float = 0.0036
    weight_decay: float = float()


args = Hyperparameters()
model = torch.nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=args.weight_decay)
