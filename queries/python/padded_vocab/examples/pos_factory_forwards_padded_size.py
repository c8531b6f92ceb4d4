# example: the config class declares 50257, but an alternate constructor forwards the size it is handed (`cls(n_vocab=n_vocab, ...)`) and the script hands it the size rounded up to 128 by a helper; positive.
from dataclasses import dataclass

import torch.nn as nn


def round_up(n, multiple):
    return ((n + multiple - 1) // multiple) * multiple


@dataclass
class Shape:
    n_vocab: int = 50257
    width: int = 768
    heads: int = 6

    @classmethod
    def with_head_width(cls, n_vocab: int, width: int, head_width: int) -> "Shape":
        return cls(n_vocab=n_vocab, width=width, heads=width // head_width)


class Model(nn.Module):
    def __init__(self, shape: Shape):
        super().__init__()
        self.wte = nn.Embedding(shape.n_vocab, shape.width)
        self.head = nn.Linear(shape.width, shape.n_vocab, bias=False)

    def forward(self, idx):
        return self.head(self.wte(idx))


shape = Shape.with_head_width(n_vocab=round_up(50257, 128), width=768, head_width=128)
model = Model(shape)
