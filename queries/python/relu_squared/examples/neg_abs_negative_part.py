# example: near miss: (h - h.abs()) * 0.5 is the negative part of h (min(h, 0)), not the positive one; squaring it is not a squared ReLU; negative.
import torch
from torch import nn


class Expand(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, 4 * width, bias=False)
        self.proj = nn.Linear(4 * width, width, bias=False)

    def forward(self, h):
        h = self.fc(h)
        return self.proj(((h - h.abs()) * 0.5).square())
