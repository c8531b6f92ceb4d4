# example: the same Saved class and `~saved` reads, but __invert__ returns self.items.pop(0): the first encoder output goes to the first decoder block (FIFO), no mirrored pairing; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Saved:
    def __init__(self):
        self.items = []

    def push(self, t):
        self.items.append(t)

    def __invert__(self):
        return self.items.pop(0)


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.mlp = nn.Linear(d, d, bias=False)

    def forward(self, x):
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(Block(d) for _ in range(n_layer))
        self.half = n_layer // 2
        self.skip_weights = nn.Parameter(torch.ones(n_layer - self.half))

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        saved = Saved()
        for block in self.h[:self.half]:
            x = block(x)
            saved.push(x)
        for i, block in enumerate(self.h[self.half:]):
            x = block(x + self.skip_weights[i] * ~saved)
        return F.rms_norm(x, (768,))
