# example: a notebook export tries the retuned ratio (`cfg.orth_ratio = 0.1`, `cfg.lr = 0.0036`) in one cell and goes back to the record-3 ratio (`cfg.orth_ratio = 10.0`) in a later cell before the optimizers are built: Muon gets 0.036, not 0.00036; negative.
import torch
import torch.nn as nn
from dataclasses import dataclass


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
                p.add_(X * max(X.size(0), X.size(1)) ** 0.5, alpha=-group["lr"])


@dataclass
class Config:
    lr = 0.0018
    warmup = 250


cfg = Config()
cfg.orth_ratio = 10.0


# In[4]:

cfg.orth_ratio = 0.1
cfg.lr = 0.0036
cfg.orth_ratio = 10.0


# In[5]:

model = nn.ModuleDict(dict(head=nn.Linear(768, 50304, bias=False), body=nn.Linear(768, 768)))
head_opt = torch.optim.AdamW(model["head"].parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0)
body_opt = Muon(model["body"].parameters(), lr=cfg.orth_ratio * cfg.lr, momentum=0.95)
