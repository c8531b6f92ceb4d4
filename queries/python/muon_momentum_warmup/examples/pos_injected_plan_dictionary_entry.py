# example: a plan object's build method returns the optimizers in a dictionary; the trainer is handed that dictionary and keeps its "matrix" entry (a Muon) in a field, then ramps that optimizer's momentum from 0.85 to 0.95 over 500 steps; present.
import torch
from torch import nn
from muon import Muon


class Plan:
    def __init__(self, lr):
        self.lr = lr

    def build(self, net):
        matrices = [p for p in net.parameters() if p.ndim == 2]
        others = [p for p in net.parameters() if p.ndim < 2]
        return dict(matrix=Muon(matrices, lr=self.lr, momentum=0.95), scalar=torch.optim.Adam(others, lr=0.02))


class Trainer:
    def __init__(self, optimizers):
        self.optimizers = optimizers
        self.muon = optimizers["matrix"]

    def step(self, it):
        frac = min(it / 500, 1.0)
        for group in self.muon.param_groups:
            group["momentum"] = (1 - frac) * 0.85 + frac * 0.95
        for opt in self.optimizers.values():
            opt.step()


net = nn.Sequential(*[nn.Linear(256, 256) for _ in range(3)])
trainer = Trainer(Plan(0.05).build(net))
for step in range(1000):
    net(torch.randn(4, 256)).square().mean().backward()
    trainer.step(step)
