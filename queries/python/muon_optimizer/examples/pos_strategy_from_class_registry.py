# example: the optimizer holds an orthogonalization strategy object (`ortho or Factory.create("ns")`); the factory's class method builds it from a class-level registry; the strategy's `__call__` (in its abstract base) runs the subclass's Newton-Schulz loop; positive.
from abc import ABC, abstractmethod

import torch


class Strategy(ABC):
    @abstractmethod
    def transform(self, m): ...

    def __call__(self, m):
        return self.transform(m)


class NewtonSchulz(Strategy):
    def transform(self, m):
        x = m.bfloat16() / (m.norm() + 1e-7)
        for _ in range(5):
            s = x @ x.T
            x = 3.4445 * x + (-4.7750 * s + 2.0315 * s @ s) @ x
        return x.to(m.dtype)


class StrategyFactory:
    _registry = {"ns": NewtonSchulz}

    @classmethod
    def create(cls, name):
        return cls._registry[name]()


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, ortho=None):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.ortho = ortho or StrategyFactory.create("ns")

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self.ortho(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


layers = torch.nn.Sequential(*[torch.nn.Linear(256, 256, bias=False) for _ in range(4)])
opt = OrthoSGD(layers.parameters())
layers(torch.randn(8, 256)).sum().backward()
opt.step()
