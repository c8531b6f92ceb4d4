# example: the same two-line conditional with a backslash choosing a strategy from the `__init_subclass__` registry, but the registered strategies only rescale or take the sign; negative (nothing orthogonalizes the update).
import abc

import torch


class Backend(abc.ABC):
    registry = {}

    def __init_subclass__(cls, key=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if key is not None:
            Backend.registry[key] = cls

    @abc.abstractmethod
    def orthogonalize(self, G):
        ...

    def __call__(self, G):
        return self.orthogonalize(G)

    @classmethod
    def create(cls, key, **kwargs):
        return cls.registry[key](**kwargs)


class Sign(Backend, key="ns"):
    def __init__(self, steps=5):
        self.steps = steps

    def orthogonalize(self, G):
        return G.sign() / self.steps


class Scaled(Backend, key="scaled"):
    def orthogonalize(self, G):
        return G / G.norm().clamp_min(1e-7)


class OrthoSGD(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="ns", steps=5):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.backend = Backend.create(backend, steps=steps) \
            if backend == "ns" else Backend.create(backend)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("buf", torch.zeros_like(p.grad))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(self.backend(p.grad.add(buf, alpha=group["momentum"])), alpha=-group["lr"])


layers = torch.nn.Sequential(*[torch.nn.Linear(256, 256, bias=False) for _ in range(4)])
opt = OrthoSGD(layers.parameters())
layers(torch.randn(8, 256)).sum().backward()
opt.step()
