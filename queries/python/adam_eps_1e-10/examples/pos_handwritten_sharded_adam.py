# example: a ZeRO-style sharded Adam written by hand, with no optimizer base class; its step divides the first moment by sqrt(v) + eps and eps=1e-10 comes from argparse; present.
import argparse

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--adam-eps", type=float, default=1e-10)
args = parser.parse_args()


class ShardAdam:
    def __init__(self, groups, betas, eps, rank, world):
        self.groups, self.betas, self.eps = groups, betas, eps
        self.rank, self.world = rank, world
        self.state = {}

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for group in self.groups:
            for p in group["params"]:
                st = self.state.setdefault(p, {"m": torch.zeros_like(p), "v": torch.zeros_like(p), "t": 0})
                st["t"] += 1
                st["m"].mul_(b1).add_(p.grad, alpha=1 - b1)
                st["v"].mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                m_hat = st["m"] / (1 - b1 ** st["t"])
                v_hat = st["v"] / (1 - b2 ** st["t"])
                p.sub_(group["lr"] * m_hat / (v_hat.sqrt() + self.eps))


embed = nn.Embedding(50304, 768)
opt = ShardAdam([dict(params=[embed.weight], lr=0.6)], betas=(0.8, 0.95), eps=args.adam_eps, rank=0, world=1)
