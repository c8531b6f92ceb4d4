# example: the mixin setting betas (0.8, 0.95) is listed after the base trainer, so the base's own (0.9, 0.95) comes first in the built class's method order; NOT present.
import torch
from torch import nn


class BaseTrainer:
    adam_betas = (0.9, 0.95)

    def __init__(self, model):
        self.model = model

    def adam_kwargs(self):
        return dict(betas=self.adam_betas, fused=True)

    def build(self):
        ak = self.adam_kwargs()
        self.embed_opt = torch.optim.Adam(self.model[0].parameters(), lr=0.6, **ak)
        self.head_opt = torch.optim.Adam(self.model[1].parameters(), lr=0.008, **ak)
        return self


class SnappierAdam:
    adam_betas = (0.8, 0.95)


class Trainer(BaseTrainer, SnappierAdam):
    pass


net = nn.Sequential(nn.Embedding(50304, 768), nn.Linear(768, 50304, bias=False))
trainer = Trainer(net).build()
