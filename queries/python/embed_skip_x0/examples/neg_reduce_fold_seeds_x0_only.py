# example: near miss: functools.reduce(lambda carry, block: block(carry), self.blocks, x0) only starts the chain from the embedding; the blocks could mix an x0 argument in but the fold never passes it, so no block sees x0 again; negative.
import functools

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.out = nn.Linear(4 * dim, dim, bias=False)
        self.mix = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, x0=None):
        if x0 is not None:
            x = self.mix[0] * x + self.mix[1] * x0
        return x + self.out(F.relu(self.fc(F.rms_norm(x, (x.size(-1),)))).square())


class GPT(nn.Module):
    def __init__(self, vocab=50304, dim=768, depth=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.blocks = nn.ModuleList(Block(dim) for _ in range(depth))
        self.lm_head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        x0 = F.rms_norm(self.wte(idx), (self.wte.embedding_dim,))
        x = functools.reduce(lambda carry, block: block(carry), self.blocks, x0)
        return self.lm_head(F.rms_norm(x, (x.size(-1),)))
