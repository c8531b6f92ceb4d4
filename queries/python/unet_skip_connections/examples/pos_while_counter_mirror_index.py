# example: a while loop with a hand-kept counter stores each first-half output under the counter and, in the second half, adds the one stored under the mirrored counter (n - 1 - j); positive.
import torch
import torch.nn as nn


class Hourglass(nn.Module):
    def __init__(self, width=192, depth=8):
        super().__init__()
        self.units = nn.ModuleList(nn.Sequential(nn.RMSNorm(width), nn.Linear(width, width)) for _ in range(depth))
        self.depth = depth
        self.gate = nn.Parameter(torch.full((depth // 2,), 0.5))

    def forward(self, z):
        kept = {}
        half = self.depth // 2
        j = 0
        while j < self.depth:
            if j >= half:
                z = z + self.gate[j - half] * kept[self.depth - 1 - j]
            z = self.units[j](z)
            if j < half:
                kept[j] = z
            j += 1
        return z
