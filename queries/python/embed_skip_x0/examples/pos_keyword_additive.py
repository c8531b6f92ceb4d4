# example: the block receives the normalized embedding by keyword (x0=x0) and adds it with a learnable scale, x = x + self.alpha * x0, before its MLP; positive (keyword plumbing, additive mix).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.alpha = nn.Parameter(torch.zeros(()))
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, x0=None):
        x = x + self.alpha * x0
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(self, idx):
        x0 = F.rms_norm(self.tok(idx), (768,))
        x = x0
        for blk in self.blocks:
            x = blk(x, x0=x0)
        return x
