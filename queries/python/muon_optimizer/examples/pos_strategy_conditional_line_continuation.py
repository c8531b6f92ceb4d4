# example: the optimizer's orthogonalization strategy is chosen by a conditional written over two lines with a backslash (`Factory.create("ns", steps=s) \` then `if name == "ns" else Factory.create(name)`); both sides come from a registry filled by `__init_subclass__`, and the Newton-Schulz one orthogonalizes; positive.
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


class NewtonSchulz(Backend, key="ns"):
    def __init__(self, steps=5):
        self.steps = steps

    def orthogonalize(self, G):
        X = G / (G.norm() + 1e-7)
        for _ in range(self.steps):
            A = X @ X.T
            X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
        return X


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
