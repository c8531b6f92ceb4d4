# example: lightning-style module whose configure_optimizers reads lr and weight_decay from a dataclass of hyperparameters (weight_decay = 0.0); positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class HParams:
    lr: float = 1.8e-3
    beta1: float = 0.9
    beta2: float = 0.95
    weight_decay: float = 0.0
    steps: int = 3000


class LanguageModule(nn.Module):
    def __init__(self, hp: HParams):
        super().__init__()
        self.hp = hp
        self.model = nn.Sequential(nn.Embedding(50304, 256), nn.Linear(256, 50304, bias=False))

    def training_step(self, batch):
        x, y = batch
        return nn.functional.cross_entropy(self.model(x).flatten(0, 1), y.flatten())

    def configure_optimizers(self):
        return torch.optim.AdamW(
            self.parameters(),
            lr=self.hp.lr,
            betas=(self.hp.beta1, self.hp.beta2),
            weight_decay=self.hp.weight_decay,
        )


module = LanguageModule(HParams())
optimizer = module.configure_optimizers()
for _ in range(module.hp.steps):
    batch = (torch.randint(0, 50304, (2, 16)), torch.randint(0, 50304, (2, 16)))
    module.training_step(batch).backward()
    optimizer.step()
    optimizer.zero_grad()
