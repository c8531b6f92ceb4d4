# example: near miss - encoder outputs are saved and weighted skips are added to decoder inputs, but skips.pop(0) pairs encoder 0 with decoder 0 (FIFO, not mirrored); negative by decision.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Stack(nn.Module):
    def __init__(self, d=768, n=12):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.n_enc = n // 2
        self.skip_weights = nn.Parameter(torch.ones(n - self.n_enc))

    def forward(self, x):
        skips = []
        for i in range(self.n_enc):
            x = x + self.blocks[i](F.rms_norm(x, (x.size(-1),)))
            skips.append(x)
        for i in range(len(self.blocks) - self.n_enc):
            x = x + self.skip_weights[i] * skips.pop(0)
            x = x + self.blocks[self.n_enc + i](F.rms_norm(x, (x.size(-1),)))
        return x
