# example: design-pattern style: the config's classmethod constructor returns cls(vocab_size=...) with the size rounded up by a policy class's classmethod (operator.mul of a ceiling division and cls.ALIGN); positive.
import operator
from dataclasses import dataclass

import torch.nn as nn


class VocabPolicy:
    ALIGN = 128

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
