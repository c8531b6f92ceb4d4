# example: the activation comes from a registry keyed by a command-line option whose default names the squared ReLU; positive (the option selects `relu_sq` from the table).

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F


def relu_sq(t):
    return F.relu(t).square()


ACTIVATIONS = {"relu2": relu_sq, "gelu": F.gelu}

parser = argparse.ArgumentParser()
parser.add_argument("--activation", type=str, default="relu2", choices=sorted(ACTIVATIONS))
args, _ = parser.parse_known_args()


class FeedForward(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)
        self.act = ACTIVATIONS[args.activation]

    def forward(self, x):
        return self.down(self.act(self.up(x)))


print(FeedForward()(torch.randn(2, 768)).shape)
