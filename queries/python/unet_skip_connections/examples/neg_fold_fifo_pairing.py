# example: near miss - the encoder fold saves each output and the decoder fold adds a weighted saved output back, but skips.pop(0) pairs encoder 0 with decoder 0 (FIFO, not mirrored); negative.
import functools

import torch
import torch.nn as nn


class TwoFolds(nn.Module):
    def __init__(self, width=512, depth=8):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Linear(width, width, bias=False) for _ in range(depth))
        self.skip_weights = nn.Parameter(torch.ones(depth - depth // 2))

    def forward(self, x):
        n_enc = len(self.blocks) // 2
        skips = []

        def encode(h, block):
            h = h + block(h)
            skips.append(h)
            return h

        def decode(h, pair):
            w, block = pair
            h = h + w * skips.pop(0)
            return h + block(h)

        x = functools.reduce(encode, self.blocks[:n_enc], x)
        x = functools.reduce(decode, zip(self.skip_weights, self.blocks[n_enc:]), x)
        return x
