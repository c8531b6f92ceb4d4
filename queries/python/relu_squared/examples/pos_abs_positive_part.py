# example: the positive part written with the absolute value, (h + h.abs()) * 0.5, then squared with .square(); the second layer writes it as (h + abs(h)) / 2 squared by a power; positive (a ReLU spelled without relu, clamp or max).
import torch
from torch import nn


class Expand(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, 4 * width, bias=False)
        self.proj = nn.Linear(4 * width, width, bias=False)

    def forward(self, h):
        h = self.fc(h)
        return self.proj(((h + h.abs()) * 0.5).square())


class Expand2(Expand):
    def forward(self, h):
        h = self.fc(h)
        return self.proj(((h + abs(h)) / 2) ** 2)
