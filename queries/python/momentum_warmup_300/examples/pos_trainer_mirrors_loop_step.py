# example: a hand-written trainer copies its loop step into `self.global_step`; the module's before-step hook reads `self.trainer.global_step` and ramps the orthogonalizing optimizer's momentum from 0.85 to 0.95 over 300 steps; positive.
import torch
from torch import nn

class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                buf = self.state.setdefault(p, {}).setdefault("buf", torch.zeros_like(g))
                buf.mul_(group["momentum"]).add_(g)
                X = buf.bfloat16()
                for _ in range(5):
                    A = X @ X.T
                    X = 3.4445 * X + (-4.7750 * A + 2.0315 * A @ A) @ X
                p.data.add_(X, alpha=-group["lr"])

class Lit:
    def __init__(self):
        self.net = nn.Linear(768, 768)
    def configure_optimizers(self):
        self.matrix_opt = Muon(self.net.parameters(), lr=0.05, momentum=0.95)
        return [self.matrix_opt]
    def on_before_optimizer_step(self, optimizer):
        frac = min(self.trainer.global_step / 300, 1)
        optimizer.param_groups[0]['momentum'] = (1 - frac) * 0.85 + frac * 0.95

class Trainer:
    def __init__(self, max_steps):
        self.max_steps = max_steps
        self.global_step = 0
    def fit(self, lit):
        lit.trainer = self
        optimizers = lit.configure_optimizers()
        for step in range(self.max_steps + 1):
            self.global_step = step
            lit.net(torch.randn(4, 768)).sum().backward()
            for opt in optimizers:
                lit.on_before_optimizer_step(opt)
                opt.step()

Trainer(1750).fit(Lit())
