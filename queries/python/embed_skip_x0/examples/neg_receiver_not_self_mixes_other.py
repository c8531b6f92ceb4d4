# example: near miss - receiver `s`; x0 is handed to every block, but the block mixes its second argument (a carried
# state h), never x0; negative (reading the parameters without skipping `s` would take h for x0).
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(s, d=512):
        super().__init__()
        s.fc = nn.Linear(d, d, bias=False)
        s.mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(s, x, h, x0):
        a, b = s.mix
        x = a * x + b * h
        return x + F.relu(s.fc(F.rms_norm(x, (x.size(-1),)))).square(), x


class GPT(nn.Module):
    def __init__(s, vocab=50304, d=512, n=6):
        super().__init__()
        s.wte = nn.Embedding(vocab, d)
        s.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(s, idx):
        x = x0 = F.rms_norm(s.wte(idx), (512,))
        h = torch.zeros_like(x)
        for blk in s.blocks:
            x, h = blk(x, h, x0)
        return x
