# example: one while loop with a hand-kept counter runs every block; the first half pushes the stream at the front of a deque (appendleft) and the second half takes the front back (popleft), newest first, so block n-1-i gets block i's output; positive.
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
                h = h + self.mix[k - self.half] * waiting.popleft()
            h = self.layers[k](h)
            if k < self.half:
                waiting.appendleft(h)
            k += 1
        return h
