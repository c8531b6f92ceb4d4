# example: A module-level lambda `norm` is applied to the embedding in a one-liner; x0 kept for later blocks; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

norm = lambda t: F.rms_norm(t, (t.size(-1),))


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.fc(norm(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(self, idx):
        x = x0 = norm(self.wte(idx))
        for b in self.blocks:
            x = b(x, x0)
        return norm(x)


gpt = GPT()
