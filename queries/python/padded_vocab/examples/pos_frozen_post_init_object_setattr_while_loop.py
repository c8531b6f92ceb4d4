# example: Vocabulary padded by an explicit while-loop helper until it divides the tile size, stored in a frozen config; positive.
from dataclasses import dataclass, field
import torch
import torch.nn as nn


def pad_to_tile(n: int, tile: int = 128) -> int:
    while n % tile != 0:
        n += 1
    return n


@dataclass(frozen=True)
class Hyper:
    raw_vocab: int = 50257
    width: int = 512
    layers: int = 8
    vocab: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "vocab", pad_to_tile(self.raw_vocab))


class Net(nn.Module):
    def __init__(self, hp: Hyper):
        super().__init__()
        self.io = nn.ModuleDict({
            "tok": nn.Embedding(hp.vocab, hp.width),
            "unembed": nn.Linear(hp.width, hp.vocab, bias=False),
        })
        self.trunk = nn.Sequential(*[nn.Sequential(nn.LayerNorm(hp.width), nn.Linear(hp.width, hp.width), nn.ReLU())
                                     for _ in range(hp.layers)])

    def forward(self, ids):
        return self.io["unembed"](self.trunk(self.io["tok"](ids)))


net = Net(Hyper())
out = net(torch.randint(0, 50257, (2, 32)))
