# example: the MLP's activation is nn.Sequential(nn.ReLU(), Squared()), where Squared computes its square into a local and returns it; positive.
import torch
import torch.nn as nn


class Squared(nn.Module):
    def forward(self, t):
        y = t * t
        return y


class FeedForward(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.grow = nn.Linear(width, 4 * width, bias=False)
        self.nonlin = nn.Sequential(nn.ReLU(), Squared())
        self.shrink = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        return self.shrink(self.nonlin(self.grow(x)))


print(FeedForward(64)(torch.randn(3, 64)).shape)
