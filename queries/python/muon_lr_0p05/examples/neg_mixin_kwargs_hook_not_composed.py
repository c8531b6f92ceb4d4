# example: the mixin that would write lr=0.05 into the Muon keywords is defined, but the class the script builds is the plain trainer, whose hook gives 0.04; NOT present.
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


class HotTrainer(HotterMuon, BaseTrainer):
    pass


net = nn.Sequential(*[nn.Linear(512, 512, bias=False) for _ in range(4)])
trainer = BaseTrainer(net).build()
