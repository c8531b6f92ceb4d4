# example: the first half's outputs are pushed on a list; each later layer gets the newest one popped, packed by a helper into a NamedTuple of per-layer inputs (`Feed(skip=...)`), and the layer adds `feed.gain * feed.skip` to its stream. Mirrored encoder outputs are added back; present.
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class Feed(NamedTuple):
    skip: Optional[Tensor]
    gain: Optional[Tensor]


class Layer(nn.Module):
    def __init__(self, width: int):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, h: Tensor, feed: Feed) -> Tensor:
        if feed.skip is not None:
            h = h + feed.gain * feed.skip
        return h + self.down(F.gelu(self.up(F.rms_norm(h, (h.size(-1),)))))


class Stack(nn.Module):
    def __init__(self, vocab: int, width: int, depth: int):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(Layer(width) for _ in range(depth))
        self.half = depth // 2
        self.gains = nn.Parameter(torch.ones(depth - self.half))
        self.out = nn.Linear(width, vocab, bias=False)

    def feed_for(self, skip: Optional[Tensor], k: int) -> Feed:
        return Feed(skip=skip, gain=None if skip is None else self.gains[k])

    def forward(self, ids: Tensor) -> Tensor:
        h = self.tok(ids)
        saved: list[Tensor] = []
        for n in range(self.half):
            h = self.layers[n](h, self.feed_for(None, 0))
            saved.append(h)
        for k in range(len(self.layers) - self.half):
            h = self.layers[self.half + k](h, self.feed_for(saved.pop(), k))
        return self.out(F.rms_norm(h, (h.size(-1),)))
