# example: Soft-cap as an nn.Module with nn.Tanh inside, appended after the head in an nn.Sequential output stage; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SoftCap(nn.Module):
    def __init__(self, cap: float):
        super().__init__()
        self.cap = cap
        self.tanh = nn.Tanh()

    def forward(self, z):
        return self.cap * self.tanh(z / self.cap)


class Model(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.trunk = nn.Sequential(*[nn.Sequential(nn.RMSNorm(d), nn.Linear(d, d, bias=False), nn.ReLU()) for _ in range(n)])
        self.to_logits = nn.Sequential(nn.RMSNorm(d), nn.Linear(d, vocab, bias=False), SoftCap(30.0))

    def forward(self, idx, target):
        logits = self.to_logits(self.trunk(self.tok(idx)))
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), target.view(-1))


model = Model()
