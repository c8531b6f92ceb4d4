# example: the same strategy object from a class-level registry, but every registered strategy only rescales (norm clip) or takes the sign; negative (nothing orthogonalizes the update).
from abc import ABC, abstractmethod

import torch


class Strategy(ABC):
    @abstractmethod
    def transform(self, m): ...

    def __call__(self, m):
        return self.transform(m)


class NormClip(Strategy):
    def transform(self, m):
        return m / m.norm().clamp_min(1.0)


class Sign(Strategy):
    def transform(self, m):
        return m.sign()


class StrategyFactory:
    _registry = {"clip": NormClip, "sign": Sign}

    @classmethod
    def create(cls, name):
        return cls._registry[name]()


class ClippedSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, ortho=None):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.ortho = ortho or StrategyFactory.create("clip")

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self.ortho(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


layers = torch.nn.Sequential(*[torch.nn.Linear(256, 256, bias=False) for _ in range(4)])
opt = ClippedSGD(layers.parameters())
layers(torch.randn(8, 256)).sum().backward()
opt.step()
