# example: a single loop over all blocks pushes the stream during the first half and pops it, weighted, during the second half, so block n-1-i gets block i's output; positive.
import torch
import torch.nn as nn


class HourglassStack(nn.Module):
    def __init__(self, width=384, depth=12):
        super().__init__()
        self.depth = depth
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.GELU()) for _ in range(depth))
        self.skip_weights = nn.Parameter(torch.ones(depth // 2))

    def forward(self, h):
        stack = []
        half = self.depth // 2
        for i, block in enumerate(self.blocks):
            if i >= half:
                h = h + self.skip_weights[i - half] * stack.pop()
            h = h + block(h)
            if i < half:
                stack.append(h)
        return h
