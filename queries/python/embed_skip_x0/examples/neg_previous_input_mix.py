# example: near miss - each step mixes in the PREVIOUS block's input (prev changes every iteration), not the initial embedding; negative.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, vocab=50304, d=512, depth=8):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.layers = nn.ModuleList(nn.Linear(d, d, bias=False) for _ in range(depth))
        self.mix = nn.Parameter(torch.zeros(depth))

    def forward(self, ids):
        h = self.tok(ids)
        prev = h
        for i, layer in enumerate(self.layers):
            h = h + self.mix[i] * prev
            prev = h
            h = h + layer(h)
        return h
