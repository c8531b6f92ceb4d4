# example: the same list subclass, but __getitem__ reads super().__getitem__(j % n); ve[j] for 8 layers reads tables 0 1 2 3 0 1 2 3, reused in the same order, so NOT the U-net pairing; negative.
import torch
from torch import nn


class Cyclic(list):
    def __getitem__(self, j):
        return super().__getitem__(j % len(self))


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=512):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * 4)
        self.blocks = blocks

    def forward(self, idx):
        x = x0 = self.wte(idx[None])
        ve = Cyclic(torch.chunk(self.vte(idx[None]), 4, dim=-1))
        for j in range(8):
            x = self.blocks[j](x, ve[j], x0)
        return x
