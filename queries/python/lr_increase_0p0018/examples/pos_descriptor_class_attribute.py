# example: the learning rate is a descriptor in the hyperparameter class body (`learning_rate = Hyper(0.0018)`, Hyper's __get__ returning the stored default); positive.
import os
import torch
import torch.nn as nn


class Hyper:
    def __init__(self, default):
        self.default = default

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        env = os.environ.get("HP_" + self.name.upper())
        return float(env) if env is not None else self.default


class Hyperparameters:
    learning_rate = Hyper(0.0018)
    weight_decay = Hyper(0.0)


args = Hyperparameters()
model = nn.Linear(16, 16)
optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, betas=(0.9, 0.95), weight_decay=args.weight_decay)
