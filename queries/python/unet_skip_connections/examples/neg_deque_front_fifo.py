# example: near miss - the first half pushes the stream at the front of a deque (appendleft), but the second half takes it from the back (pop), oldest first, so block half+i gets block i's output (FIFO, not mirrored); negative.
from collections import deque

import torch
import torch.nn as nn


class FunnelNet(nn.Module):
    def __init__(self, width=256, depth=10):
        super().__init__()
        self.layers = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.SiLU()) for _ in range(depth))
        self.half = depth // 2
        self.mix = nn.Parameter(torch.ones(depth - self.half))

    def forward(self, h):
        waiting = deque()
        k = 0
        while k < len(self.layers):
            if k >= self.half:
                h = h + self.mix[k - self.half] * waiting.pop()
            h = self.layers[k](h)
            if k < self.half:
                waiting.appendleft(h)
            k += 1
        return h
