# example: a fluent builder whose `__init__` placeholder (`self._ratio = 1.0`) is replaced by a chained setter (`.with_hidden_lr_ratio(0.1)`), building AdamW at 0.0036 and a Muon whose orthogonalizer comes from a registry filled by `__init_subclass__`; Muon at 0.00036; present.
import torch


class Backend:
    registry = {}

    def __init_subclass__(cls, key=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if key is not None:
            Backend.registry[key] = cls

    def __call__(self, G):
        return self.orthogonalize(G)

    @classmethod
    def create(cls, key):
        return cls.registry[key]()


class NewtonSchulz(Backend, key="ns5"):
    def orthogonalize(self, G):
        a, b, c = 3.4445, -4.7750, 2.0315
        X = G / (G.norm() + 1e-7)
        for _ in range(5):
            A = X @ X.T
            X = a * X + (b * A + c * A @ A) @ X
        return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95, backend="ns5"):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.backend = Backend.create(backend)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(self.backend(p.grad), alpha=-group["lr"])


class OptimizerBuilder:
    def __init__(self, model):
        self._model = model
        self._lr = None
        self._ratio = 1.0

    def with_lr(self, lr):
        self._lr = lr
        return self

    def with_hidden_lr_ratio(self, ratio):
        self._ratio = ratio
        return self

    def build(self):
        return [torch.optim.AdamW(self._model.head.parameters(), lr=self._lr, betas=(0.9, 0.95)),
                Muon(self._model.body.parameters(), lr=self._ratio * self._lr)]


model = torch.nn.ModuleDict(dict(body=torch.nn.Linear(768, 768), head=torch.nn.Linear(768, 50304)))
optimizers = OptimizerBuilder(model).with_lr(0.0036).with_hidden_lr_ratio(0.1).build()
for step in range(100):
    model["head"](model["body"](torch.randn(8, 768))).square().mean().backward()
    for opt in optimizers:
        opt.step()
