# example: the blocks run as a fold (`reduce(visit, enumerate(self.blocks), h)`) whose function pushes the stream during the first half and pops it, gated, during the second half, so block n-1-i gets block i's output; positive.
from functools import reduce

import torch
import torch.nn as nn


class FoldedHourglass(nn.Module):
    def __init__(self, width=512, depth=8):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.SiLU()) for _ in range(depth))
        self.gates = nn.Parameter(torch.ones(depth // 2))

    def forward(self, h):
        half = len(self.blocks) // 2
        saved = []

        def visit(state, item):
            i, block = item
            if i >= half:
                state = state + self.gates[i - half] * saved.pop()
            state = state + block(state)
            if i < half:
                saved.append(state)
            return state

        return reduce(visit, enumerate(self.blocks), h)
