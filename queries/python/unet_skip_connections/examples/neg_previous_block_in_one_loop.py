# example: one loop over the blocks adds the output saved by the previous block (a stack used as a one-step delay), so every block pairs with its neighbour, not its mirror; negative.
import torch
import torch.nn as nn


class DelayedResidualNet(nn.Module):
    def __init__(self, width=256, depth=8):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width)) for _ in range(depth))

    def forward(self, x):
        carry = []
        for block in self.blocks:
            if carry:
                x = x + carry.pop()
            x = x + block(x)
            carry.append(x)
        return x
