# example: design-pattern style: the policy class rounds the vocabulary up to a multiple of 8 only (50,264, not a multiple of 64) in the classmethod constructor; negative.
import operator
from dataclasses import dataclass

import torch.nn as nn


class VocabPolicy:
    ALIGN = 8

    @classmethod
    def padded(cls, n):
        return operator.mul(-(-n // cls.ALIGN), cls.ALIGN)


@dataclass
class Config:
    vocab_size: int = 50257
    n_embd: int = 768

    @classmethod
    def default(cls):
        return cls(vocab_size=VocabPolicy.padded(50257), n_embd=768)


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight

    def forward(self, idx):
        return self.lm_head(self.wte(idx))


model = GPT(Config.default())
