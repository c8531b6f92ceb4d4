# example: near miss: the same method-chain RMS norm, but applied to the stream after the blocks (a final norm), while the embedding enters the blocks raw; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class LM(nn.Module):
    def __init__(self, vocab=50304, d=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx):
        x = self.wte(idx)
        for block in self.blocks:
            x = x + block(F.rms_norm(x, (x.size(-1),)))
        x = x.mul(torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True).add(torch.finfo(x.dtype).eps)))
        return self.head(x)
