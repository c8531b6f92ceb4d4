# example: lightning-style configure_optimizers returns three optimizers from a dataclass: Adam(embed.parameters(), lr=0.6), Adam(lm_head.parameters(), lr=0.008), Muon-like for blocks; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class OptimCfg:
    embed_lr: float = 0.6
    head_lr: float = 0.008
    matrix_lr: float = 0.05
    betas: tuple = (0.8, 0.95)


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12, cfg: OptimCfg = OptimCfg()):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n_layer))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.embed(idx)
        for b in self.blocks:
            x = x + torch.relu(b(x)).square()
        return self.lm_head(x)

    def configure_optimizers(self):
        c = self.cfg
        return [
            torch.optim.Adam(self.embed.parameters(), lr=c.embed_lr, betas=c.betas, fused=True),
            torch.optim.Adam(self.lm_head.parameters(), lr=c.head_lr, betas=c.betas, fused=True),
            torch.optim.SGD(self.blocks.parameters(), lr=c.matrix_lr, momentum=0.95, nesterov=True),
        ]


optimizers = GPT().configure_optimizers()
