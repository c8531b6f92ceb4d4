# example: two separate narrow token tables exist, but their lookups are added to the residual stream before each layer (first argument), not given as value inputs; NOT split value embeddings.
import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, layers, vocab=50304, width=640):
        super().__init__()
        self.tok = nn.Embedding(vocab, width)
        self.extra_a = nn.Embedding(vocab, width)
        self.extra_b = nn.Embedding(vocab, width)
        self.layers = layers

    def forward(self, ids):
        x = self.tok(ids)[None]
        a, b = self.extra_a(ids)[None], self.extra_b(ids)[None]
        for i, layer in enumerate(self.layers):
            x = layer(x + (a if i % 2 == 0 else b))
        return x
