# example: collections.deque used as the skip stack: encoder appendleft(), decoder popleft() (LIFO), learnable weights; positive.
from collections import deque
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d, bias=False)

    def forward(self, x):
        return x + F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square()


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n_layer=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d) for _ in range(n_layer))
        self.n_enc = n_layer // 2
        self.skip_weights = nn.Parameter(torch.ones(n_layer - self.n_enc))

    def forward(self, idx):
        x = F.rms_norm(self.wte(idx), (768,))
        pending = deque()
        for blk in self.blocks[: self.n_enc]:
            x = blk(x)
            pending.appendleft(x)
        for j, blk in enumerate(self.blocks[self.n_enc:]):
            x = blk(x + self.skip_weights[j] * pending.popleft())
        return x
