# example: the mix written as an einsum over a stacked (x, x0) pair with a per-block 2-vector of weights; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))
        self.fc = nn.Linear(d, 4 * d, bias=False)
        self.proj = nn.Linear(4 * d, d, bias=False)

    def forward(self, x, x0):
        x = torch.einsum("s,sbtd->btd", self.mix, torch.stack((x, x0)))
        return x + self.proj(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(self, idx):
        x0 = F.rms_norm(self.wte(idx), (768,))
        x = x0
        for blk in self.blocks:
            x = blk(x, x0)
        return x
