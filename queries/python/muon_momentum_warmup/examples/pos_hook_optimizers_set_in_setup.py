# example: the Lightning-like trainer sets self.opts = None in __init__ and the optimizers' list in setup(); the hook that receives that list ramps the orthogonalizing optimizer's momentum from 0.85 to 0.95; present.
import torch
from torch import nn


def orthogonalize(G, steps=5):
    a, b, c = (3.4445, -4.7750, 2.0315)
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X


class Ortho(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state.setdefault(p, {}).setdefault("buf", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - group["momentum"])
                p.add_(orthogonalize(buf), alpha=-group["lr"])


class LitGPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50304, 768)
        self.mats = nn.Linear(768, 768, bias=False)

    def forward(self, ids):
        return self.mats(self.tok(ids))

    def configure_optimizers(self):
        adam = torch.optim.Adam(self.tok.parameters(), lr=0.6, betas=(0.8, 0.95))
        ortho = Ortho(self.mats.parameters(), lr=0.02, momentum=0.95)
        return [adam, ortho], []

    def on_train_batch_start(self, step, optimizers):
        frac = min(step / 300, 1.0)
        for g in optimizers[1].param_groups:
            g["momentum"] = (1 - frac) * 0.85 + frac * 0.95


class Trainer:
    def __init__(self, module):
        self.module = module
        self.opts = None
        self.scheds = None

    def setup(self):
        self.opts, self.scheds = self.module.configure_optimizers()

    def fit(self, steps):
        self.setup()
        for step in range(steps):
            self.module(torch.randint(0, 50304, (4, 64))).square().mean().backward()
            self.module.on_train_batch_start(step, self.opts)
            for opt in self.opts:
                opt.step()
                opt.zero_grad(set_to_none=True)


Trainer(LitGPT()).fit(1000)
