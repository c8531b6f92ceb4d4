# example: near miss - numbered blocks called one by one are each handed x0 but never use it; x0 is mixed back only once after the last block; negative (not per block).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.mlp = nn.Linear(d, d, bias=False)

    def forward(self, h, h0):
        return h + self.mlp(F.rms_norm(h, (h.size(-1),)))


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blk0 = Block(d)
        self.blk1 = Block(d)
        self.blk2 = Block(d)
        self.blk3 = Block(d)
        self.gains = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, idx):
        e0 = F.rms_norm(self.wte(idx), (768,))
        h = self.blk0(e0, e0)
        h = self.blk1(h, e0)
        h = self.blk2(h, e0)
        h = self.blk3(h, e0)
        h = self.gains[0] * h + self.gains[1] * e0
        return F.rms_norm(h, (768,))
