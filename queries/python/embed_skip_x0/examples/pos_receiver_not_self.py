# example: the block's receiver is called `s`, not `self`; the model passes the normed embedding x0 to every block,
# whose forward starts with `a, b = s.mix; x = a * x + b * x0`; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(s, d=512):
        super().__init__()
        s.fc = nn.Linear(d, d, bias=False)
        s.mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(s, x, v, x0):
        a, b = s.mix
        x = a * x + b * x0
        return x + F.relu(s.fc(F.rms_norm(x, (x.size(-1),)))).square(), v


class GPT(nn.Module):
    def __init__(s, vocab=50304, d=512, n=6):
        super().__init__()
        s.wte = nn.Embedding(vocab, d)
        s.blocks = nn.ModuleList(Block(d) for _ in range(n))

    def forward(s, idx):
        x = x0 = F.rms_norm(s.wte(idx), (512,))
        v = None
        for blk in s.blocks:
            x, v = blk(x, v, x0)
        return x
