# example: near miss - skip_connections are collected per layer with a skip_weights parameter declared, but they are only used for an activation-norm probe and never added back; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.h = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.skip_weights = nn.Parameter(torch.ones(n // 2))
        self.last_norms = None

    def forward(self, idx):
        x = self.wte(idx)
        skip_connections = []
        for block in self.h:
            x = x + block(F.rms_norm(x, (x.size(-1),)))
            skip_connections.append(x.detach())
        self.last_norms = [s.norm(dim=-1).mean() for s in reversed(skip_connections)]
        return x
