# example: lightning-style configure_optimizers returns [AdamW(lr=cfg.lr), Muon(lr=cfg.lr * cfg.muon_lr_mult)] with a dataclass lr = 0.0036 and muon_lr_mult = 0.1; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class Config:
    lr: float = 0.0036
    muon_lr_mult: float = 0.1
    momentum: float = 0.95


def orthogonalize(G, steps=5):
    X = G.bfloat16() / (G.norm() + 1e-7)
    for _ in range(steps):
        X = 1.5 * X - 0.5 * (X @ X.T) @ X
    return X


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p].setdefault("m", torch.zeros_like(p))
                buf.mul_(group["momentum"]).add_(p.grad)
                p.add_(orthogonalize(buf).type_as(p), alpha=-group["lr"])


class GPTModule(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(50304, 768)
        self.blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))

    def configure_optimizers(self):
        adam = torch.optim.AdamW(self.wte.parameters(), lr=self.cfg.lr, betas=(0.9, 0.95), weight_decay=0.0)
        muon = Muon(self.blocks.parameters(), lr=self.cfg.lr * self.cfg.muon_lr_mult, momentum=self.cfg.momentum)
        return [adam, muon]


optimizers = GPTModule(Config()).configure_optimizers()
