# example: blocks run through torch.utils.checkpoint.checkpoint(block, x, x0); each block's forward starts with x = lambdas[0] * x + lambdas[1] * x0; positive.
import torch
import torch.nn as nn
from torch.utils.checkpoint import checkpoint


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.norm = nn.RMSNorm(d)
        self.fc = nn.Linear(d, d, bias=False)

    def forward(self, x, x0):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        return x + self.fc(self.norm(x))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=512, n_layer=8):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n_layer))

    def forward(self, idx):
        x = self.wte(idx)
        x = nn.functional.rms_norm(x, (x.size(-1),))
        x0 = x
        for block in self.blocks:
            x = checkpoint(block, x, x0, use_reentrant=False)
        return x


out = GPT()(torch.randint(0, 50304, (2, 16)))
