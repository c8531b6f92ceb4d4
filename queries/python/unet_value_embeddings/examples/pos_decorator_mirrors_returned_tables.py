# example: a method returns one value-embedding chunk per encoder layer and a decorator's wrapper hands back those chunks followed by the same chunks reversed, one per layer; positive.
import functools

import torch
from torch import nn
import torch.nn.functional as F


def palindromic(produce):
    @functools.wraps(produce)
    def both_halves(*args, **kwargs):
        first = tuple(produce(*args, **kwargs))
        return first + first[::-1]
    return both_halves


class Net(nn.Module):
    def __init__(self, layers, vocab=50304, width=768, depth=12):
        super().__init__()
        self.half = depth // 2
        self.tok = nn.Embedding(vocab, width)
        self.vals = nn.Embedding(vocab, width * self.half)
        self.layers = layers  # each layer: forward(h, extra_v, h0) mixes extra_v into its attention values

    @palindromic
    def value_rows(self, ids):
        return self.vals(ids[None]).chunk(self.half, dim=-1)

    def forward(self, ids):
        h = h0 = F.rms_norm(self.tok(ids[None]), (768,))
        per_layer = self.value_rows(ids)
        for depth, layer in enumerate(self.layers):
            h = layer(h, per_layer[depth], h0)
        return h
