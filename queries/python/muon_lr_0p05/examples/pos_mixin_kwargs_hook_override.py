# example: a trainer composed from mixins builds Muon with **self.muon_kwargs(); the base's hook returns lr=0.04 and a mixin of the built class takes the base's dictionary and writes lr=0.05 into it; present.
import torch
from torch import nn
from muon import Muon


class BaseTrainer:
    muon_lr = 0.04

    def __init__(self, model):
        self.model = model

    def muon_kwargs(self):
        return dict(lr=self.muon_lr, momentum=0.95)

    def build(self):
        matrices = [p for p in self.model.parameters() if p.ndim == 2]
        self.muon = Muon(matrices, **self.muon_kwargs())
        return self


class HotterMuon:
    def muon_kwargs(self):
        kw = super().muon_kwargs()
        kw["lr"] = 0.05
        return kw


class Trainer(HotterMuon, BaseTrainer):
    pass


net = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
trainer = Trainer(net).build()
