# example: learning rates from a dataclass (embed 0.6, head 0.008, muon 0.05, scalars 0.04) reach Adam groups and a file Muon through cfg fields; positive (dataclass fields, later-record Muon 0.05).
from dataclasses import dataclass
import torch
import torch.nn as nn


@dataclass
class LRs:
    embed: float = 0.6
    head: float = 0.008
    muon: float = 0.05
    scalar: float = 0.04


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr=0.02, momentum=0.95):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                U, _, Vh = torch.linalg.svd(p.grad, full_matrices=False)
                p.add_(U @ Vh, alpha=-group["lr"])


cfg = LRs()
tok = nn.Embedding(50304, 768)
blocks = nn.ModuleList(nn.Linear(768, 768, bias=False) for _ in range(12))
gains = nn.Parameter(torch.ones(12))
out = nn.Linear(768, 50304, bias=False)
adam = torch.optim.Adam([dict(params=[tok.weight], lr=cfg.embed), dict(params=[out.weight], lr=cfg.head),
                         dict(params=[p for p in blocks.parameters() if p.ndim < 2] + [gains], lr=cfg.scalar)],
                        betas=(0.8, 0.95))
muon = Muon([p for p in blocks.parameters() if p.ndim >= 2], lr=cfg.muon)
