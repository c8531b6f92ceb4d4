# example: nested config dataclasses built with default_factory give the embedding's Adam lr 0.6 and the head's Adam lr 0.008, read through self.optim_cfg in configure_optimizers; positive.
from dataclasses import dataclass, field

import torch
import torch.nn as nn


@dataclass
class GroupSpec:
    lr: float
    betas: tuple = (0.8, 0.95)


@dataclass
class OptimSettings:
    embed: GroupSpec = field(default_factory=lambda: GroupSpec(lr=0.6))
    head: GroupSpec = field(default_factory=lambda: GroupSpec(lr=0.008))
    matrix_lr: float = 0.04


@dataclass
class RunConfig:
    optim: OptimSettings = field(default_factory=OptimSettings)
    vocab: int = 50304
    width: int = 768
    depth: int = 6


class GPT(nn.Module):
    def __init__(self, vocab=50304, width=768, depth=6):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.lm_head = nn.Linear(width, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for blk in self.blocks:
            x = x + torch.relu(blk(x)).square()
        return self.lm_head(x).float()


class LitModel(nn.Module):
    def __init__(self, optim_cfg):
        super().__init__()
        self.optim_cfg = optim_cfg
        self.net = GPT()

    def training_step(self, batch):
        idx, tgt = batch
        logits = self.net(idx)
        return nn.functional.cross_entropy(logits.view(-1, logits.size(-1)), tgt.view(-1))

    def configure_optimizers(self):
        oc = self.optim_cfg
        embed_opt = torch.optim.Adam([self.net.wte.weight], lr=oc.embed.lr, betas=oc.embed.betas)
        head_opt = torch.optim.Adam([self.net.lm_head.weight], lr=oc.head.lr, betas=oc.head.betas)
        body_opt = torch.optim.SGD(self.net.blocks.parameters(), lr=oc.matrix_lr, momentum=0.95, nesterov=True)
        return [embed_opt, head_opt, body_opt]


class Trainer:
    def __init__(self, max_steps=100):
        self.max_steps = max_steps

    def fit(self, module):
        optimizers = module.configure_optimizers()
        for _ in range(self.max_steps):
            batch = (torch.randint(0, 50304, (4, 128)), torch.randint(0, 50304, (4, 128)))
            module.training_step(batch).backward()
            for opt in optimizers:
                opt.step()
                opt.zero_grad(set_to_none=True)


cfg = RunConfig()
module = LitModel(cfg.optim)
Trainer(max_steps=cfg.depth * 50).fit(module)
