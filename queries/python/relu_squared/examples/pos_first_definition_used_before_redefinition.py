# example: the squared-ReLU activation trains a model in one cell before a later cell redefines the activation for an experiment that never runs; positive (the first definition ran).
import torch
import torch.nn as nn
import torch.nn.functional as F

WIDTH = 512


def activation(x):
    return F.relu(x).square()


class FeedForward(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.Linear(WIDTH, 4 * WIDTH)
        self.down = nn.Linear(4 * WIDTH, WIDTH)

    def forward(self, x):
        return self.down(activation(self.up(x)))


net = FeedForward()
for _ in range(100):
    net(torch.randn(4, WIDTH)).sum().backward()


def activation(x):
    return F.gelu(x, approximate="tanh")
