# example: near miss - `__post_init__` only checks that the size is positive and derives the head count; the embedding keeps the tokenizer's 50257 rows; negative.
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class ModelArgs:
    vocab_size: int = 50257
    dim: int = 768
    head_dim: int = 64

    def __post_init__(self):
        assert self.vocab_size > 0
        self.heads = self.dim // self.head_dim


class LM(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.embed = nn.Embedding(args.vocab_size, args.dim)
        self.unembed = nn.Linear(args.dim, args.vocab_size, bias=False)

    def forward(self, ids):
        return self.unembed(self.embed(ids))


TOKENIZER_SIZE = 50257
model = LM(ModelArgs(vocab_size=TOKENIZER_SIZE))
