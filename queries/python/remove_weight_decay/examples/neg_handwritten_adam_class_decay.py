# example: the same hand-written Adam class, but its step shrinks every weight by lr * wd with wd = 0.1 by default; NOT present.
import torch
from torch import nn


class PlainAdam:
    def __init__(self, params, lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1):
        self.params = list(params)
        self.lr, self.betas, self.eps, self.wd = lr, betas, eps, weight_decay
        self.state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p, (m, v) in zip(self.params, self.state):
            p.mul_(1 - self.lr * self.wd)
            m.lerp_(p.grad, 1 - b1)
            v.lerp_(p.grad.square(), 1 - b2)
            p.sub_(self.lr * m / (v.sqrt() + self.eps))


embed = nn.Embedding(50304, 768)
opt = PlainAdam(embed.parameters(), lr=0.6)
