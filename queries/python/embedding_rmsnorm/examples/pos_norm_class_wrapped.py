# example: a hand-written RMSNorm module (rsqrt of the mean square, learnable gain) wraps the lookup with a batch index, x = x0 = self.in_norm(self.tok(idx)[None]); positive (own norm class, chained assignment).
import torch
import torch.nn as nn


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.gain = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + self.eps).type_as(x) * self.gain


class Model(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.in_norm = RMSNorm(d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))

    def forward(self, idx):
        x = x0 = self.in_norm(self.tok(idx)[None])
        for blk in self.blocks:
            x = x + blk(x) + 0.0 * x0
        return x
