# example: near miss: the decorator's wrapper squashes the hidden state handed to the head, cap * tanh(x / cap), not the logits it returns; negative.
import functools

import torch
import torch.nn as nn
import torch.nn.functional as F


def softcapped(cap):
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(self, x):
            return fn(self, cap * torch.tanh(x / cap))
        return wrapper
    return decorate


class GPT(nn.Module):
    def __init__(self, vocab=50304, d=768, n=12):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(n))
        self.lm_head = nn.Linear(d, vocab, bias=False)

    @softcapped(cap=30.0)
    def head(self, x):
        return self.lm_head(x)

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (768,))
        for b in self.blocks:
            x = x + F.relu(b(x)).square()
        logits = self.head(F.rms_norm(x, (768,))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT()
