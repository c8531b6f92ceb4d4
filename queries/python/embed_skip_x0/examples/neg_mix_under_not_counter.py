# example: same stack, but the re-mix is guarded by `if not k:`, so it runs for the first block only, where h is still e0: a no-op, not a per-block skip; negative.
import torch
import torch.nn as nn


class Stack(nn.Module):
    def __init__(self, vocab=32000, width=384, depth=6):
        super().__init__()
        self.lookup = nn.Embedding(vocab, width)
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width)) for _ in range(depth))
        self.keep = nn.Parameter(torch.ones(depth))
        self.inject = nn.Parameter(torch.zeros(depth))

    def forward(self, tokens):
        e0 = self.lookup(tokens)
        h = e0
        for k in range(len(self.blocks)):
            if not k:
                h = self.keep[k] * h + self.inject[k] * e0
            h = h + self.blocks[k](h)
        return h


print(Stack()(torch.randint(0, 32000, (2, 12))).shape)
