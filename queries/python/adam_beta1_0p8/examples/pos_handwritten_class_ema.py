# example: an Adam class of the file (no optimizer base) whose step writes the first moment as b1 * m + (1 - b1) * g, with b1 = 0.8 passed to it; present.
import torch
from torch import nn


class PlainAdam:
    def __init__(self, params, lr, b1, b2, eps=1e-8):
        self.params = list(params)
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for p, m, v in zip(self.params, self.m, self.v):
            m.copy_(self.b1 * m + (1 - self.b1) * p.grad)
            v.copy_(self.b2 * v + (1 - self.b2) * p.grad ** 2)
            p.data -= self.lr * m / (torch.sqrt(v) + self.eps)


embed = nn.Embedding(50304, 768)
opt = PlainAdam(embed.parameters(), lr=0.6, b1=0.8, b2=0.95)
