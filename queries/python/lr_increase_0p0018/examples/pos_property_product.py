# example: the learning rate is a read-only property of the hyperparameters, base 0.0015 times a 1.2 multiplier; positive.
import torch
import torch.nn as nn


class Hyperparameters:
    base_lr = 0.0015
    lr_multiplier = 1.2

    @property
    def learning_rate(self):
        return self.base_lr * self.lr_multiplier


args = Hyperparameters()
model = nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95))
