# example: the base trainer's step method sets Muon's momentum from self.momentum(step), a 500-step ramp; the class the script builds mixes in an override ramping over 300 steps, which Python's method order picks first; present.
import torch
from torch import nn
from muon import Muon


class BaseTrainer:
    start, end = 0.85, 0.95

    def __init__(self, model):
        self.model = model
        self.muon = Muon([p for p in model.parameters() if p.ndim == 2], lr=0.05, momentum=0.95)

    def momentum(self, step):
        ramp = min(step / 500, 1)
        return (1 - ramp) * self.start + ramp * self.end

    def apply_momentum(self, step):
        for group in self.muon.param_groups:
            group["momentum"] = self.momentum(step)


class QuickRamp:
    def momentum(self, step):
        ramp = min(step / 300, 1)
        return (1 - ramp) * self.start + ramp * self.end


class Trainer(QuickRamp, BaseTrainer):
    pass


net = nn.Sequential(*[nn.Linear(256, 256, bias=False) for _ in range(3)])
trainer = Trainer(net)
for step in range(1400):
    x = torch.randn(8, 256)
    net(x).square().mean().backward()
    trainer.apply_momentum(step)
    trainer.muon.step()
    net.zero_grad(set_to_none=True)
