# example: the file's own Adam class (no optimizer base) never decays the weights; present.
import torch
from torch import nn


class PlainAdam:
    def __init__(self, params, lr, betas=(0.9, 0.95), eps=1e-8):
        self.params = list(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]

    @torch.no_grad()
    def step(self):
        b1, b2 = self.betas
        for p, (m, v) in zip(self.params, self.state):
            m.lerp_(p.grad, 1 - b1)
            v.lerp_(p.grad.square(), 1 - b2)
            p.sub_(self.lr * m / (v.sqrt() + self.eps))


embed = nn.Embedding(50304, 768)
opt = PlainAdam(embed.parameters(), lr=0.6)
