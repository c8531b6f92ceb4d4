# example: a trainer class keeps each group's base rate and writes base * self.lr_mult(step) every step; the
# multiplier is 1 from step 0 and only decays at the end; positive.
from dataclasses import dataclass

import torch


@dataclass
class RunCfg:
    steps: int = 1750
    cooldown: int = 640


class Runner:
    def __init__(self, cfg, model):
        self.cfg = cfg
        self.opts = [torch.optim.Adam(model.parameters(), lr=0.008, betas=(0.8, 0.95))]
        self.base = [[g["lr"] for g in o.param_groups] for o in self.opts]
        self.model = model

    def lr_mult(self, step):
        return min(1.0, (self.cfg.steps - step) / self.cfg.cooldown)

    def run(self, batches):
        for step in range(self.cfg.steps + 1):
            loss = self.model(*next(batches))
            loss.backward()
            for opt, base in zip(self.opts, self.base):
                for g, b in zip(opt.param_groups, base):
                    g["lr"] = b * self.lr_mult(step)
                opt.step()
            self.model.zero_grad(set_to_none=True)
