# example: near miss - a subclass replaces the embedding after super().__init__, but the script builds the tied base class; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab, d),
            h=nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n)),
        ))
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx):
        x = self.transformer.wte(idx)
        for block in self.transformer.h:
            x = x + block(x)
        return self.lm_head(F.rms_norm(x, (x.size(-1),))).float()


class SeparateTables(GPT):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__(vocab, d, n)
        self.transformer.wte = nn.Embedding(vocab, d)


model = GPT()
