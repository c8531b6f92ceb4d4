# example: the 4 chunks of a wide value table go into a list subclass whose __getitem__ reads super().__getitem__(min(j, 2n-1-j)); ve[j] for 8 layers reads tables 0 1 2 3 3 2 1 0, the U-net pairing; positive.
import torch
from torch import nn


class Palindrome(list):
    def __getitem__(self, j):
        half = len(self)
        return super().__getitem__(min(j, 2 * half - 1 - j))


class GPT(nn.Module):
    def __init__(self, blocks, vocab=50304, dim=512):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.vte = nn.Embedding(vocab, dim * 4)
        self.blocks = blocks

    def forward(self, idx):
        x = x0 = self.wte(idx[None])
        ve = Palindrome(torch.chunk(self.vte(idx[None]), 4, dim=-1))
        for j in range(8):
            x = self.blocks[j](x, ve[j], x0)
        return x
