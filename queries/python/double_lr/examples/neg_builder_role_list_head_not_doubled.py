# example: the same role builder with the head gain left at 1 (head 0.002, record 10's value): not every rate is doubled; absent.
import functools
import operator
import torch
import torch.nn as nn


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                X = p.grad / (p.grad.norm() + 1e-7)
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.add_(X, alpha=-group["lr"])


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList([nn.Linear(768, 768) for _ in range(4)])
        self.gains = nn.Parameter(torch.ones(4))
        self.lm_head = nn.Linear(768, 50304, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for g, block in zip(self.gains, self.blocks):
            x = x + g * block(x)
        return self.lm_head(x)


class OptimizerBuilder:
    BASE_LR = {"embedding": 0.3, "head": 0.002, "matrix": 0.02, "scalar": 0.02}
    ROLE_GAIN = {"embedding": 2.0, "head": 1.0, "matrix": 2.0, "scalar": 2.0}

    def __init__(self):
        self._roles = []

    def with_params(self, role, params):
        self._roles.append((role, list(params)))
        return self

    @classmethod
    def lr_for(cls, role):
        return functools.reduce(operator.mul, (cls.BASE_LR[role], cls.ROLE_GAIN[role]))

    def _make(self, role, params):
        lr = self.lr_for(role)
        if role == "matrix":
            return Muon(params, lr=lr, momentum=0.95)
        return torch.optim.Adam(params, lr=lr, betas=(0.9, 0.95), fused=True)

    def build(self):
        return [self._make(role, params) for role, params in self._roles]


model = GPT()
matrix_params = [p for p in model.blocks.parameters() if p.ndim == 2]
scalar_params = [p for p in model.blocks.parameters() if p.ndim < 2] + [model.gains]
optimizers = (OptimizerBuilder()
              .with_params("embedding", [model.wte.weight])
              .with_params("head", [model.lm_head.weight])
              .with_params("matrix", matrix_params)
              .with_params("scalar", scalar_params)
              .build())
for step in range(100):
    model(torch.randint(0, 50304, (8, 64))).float().mean().backward()
    for opt in optimizers:
        opt.step()
