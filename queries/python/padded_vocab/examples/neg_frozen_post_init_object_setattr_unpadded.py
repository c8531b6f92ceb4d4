# example: a frozen dataclass derives its vocabulary in __post_init__ with object.__setattr__, but only copies the tokenizer's 50257 (no rounding); negative.
from dataclasses import dataclass, field

import torch.nn as nn


@dataclass(frozen=True)
class Hyper:
    tokenizer_vocab: int = 50257
    width: int = 512
    vocab: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "vocab", self.tokenizer_vocab)


class Net(nn.Module):
    def __init__(self, hp: Hyper):
        super().__init__()
        self.tok = nn.Embedding(hp.vocab, hp.width)
        self.out = nn.Linear(hp.width, hp.vocab, bias=False)

    def forward(self, ids):
        return self.out(self.tok(ids))


net = Net(Hyper())
