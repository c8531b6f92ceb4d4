# example: a hand-written rmsnorm helper normalizes the embedding, and the normalized tensor is kept as x0 and used as the residual stream; positive (manual RMS, x0 layout).
import torch
import torch.nn as nn


def rmsnorm(t, eps=1e-6):
    t32 = t.float()
    return (t32 * torch.rsqrt(t32.square().mean(-1, keepdim=True) + eps)).type_as(t)


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lin = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.lin(rmsnorm(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(self, idx):
        x0 = rmsnorm(self.wte(idx))
        x = x0
        for blk in self.blocks:
            x = blk(x, x0)
        return rmsnorm(x)
