# example: a dataclass keeps the tokenizer's 50257 as the field default and the script constructs it with that size too, but `__post_init__` always rounds the field up to a multiple of 64 before the model reads it; positive.
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class ModelArgs:
    vocab_size: int = 50257
    dim: int = 768
    align: int = 64

    def __post_init__(self):
        self.vocab_size = (self.vocab_size + self.align - 1) // self.align * self.align


class LM(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.embed = nn.Embedding(args.vocab_size, args.dim)
        self.unembed = nn.Linear(args.dim, args.vocab_size, bias=False)

    def forward(self, ids):
        return self.unembed(self.embed(ids))


TOKENIZER_SIZE = 50257
model = LM(ModelArgs(vocab_size=TOKENIZER_SIZE))
