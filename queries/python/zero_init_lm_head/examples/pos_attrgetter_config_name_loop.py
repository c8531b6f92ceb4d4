# example: Head weight zeroed through operator.attrgetter over a config tuple of module names; positive.
import operator
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 50304
    n_embd: int = 768
    n_layer: int = 12
    zero_init_modules: tuple = ("lm_head",)


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.h = nn.ModuleList(nn.Linear(config.n_embd, config.n_embd, bias=False) for _ in range(config.n_layer))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        for dotted in config.zero_init_modules:
            operator.attrgetter(dotted)(self).weight.data.zero_()

    def forward(self, idx, targets):
        x = F.rms_norm(self.wte(idx), (self.wte.embedding_dim,))
        for blk in self.h:
            x = x + blk(F.rms_norm(x, (x.size(-1),)))
        logits = self.lm_head(F.rms_norm(x, (x.size(-1),))).float()
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


model = GPT(Config())
