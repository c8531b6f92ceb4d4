# example: near miss - x0 is saved and mixed back with learnable lambdas, but only once after the last block, and the blocks receive x0 without using it; negative (not per block).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.mlp = nn.Linear(d, d, bias=False)

    def forward(self, x, x0):
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(Block(d) for _ in range(n))
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, idx):
        x0 = F.rms_norm(self.wte(idx), (768,))
        x = x0
        for block in self.h:
            x = block(x, x0)
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return F.rms_norm(x, (768,))
