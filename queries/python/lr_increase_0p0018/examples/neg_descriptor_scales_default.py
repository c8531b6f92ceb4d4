# example: a descriptor built with 0.0018 whose __get__ returns twice the stored default, so the optimizer gets 0.0036; negative.
import torch
import torch.nn as nn


class Doubled:
    def __init__(self, default):
        self.default = default

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return self.default * 2


class Hyperparameters:
    learning_rate = Doubled(0.0018)


args = Hyperparameters()
model = nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=0.0)
