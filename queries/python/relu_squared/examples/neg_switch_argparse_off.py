# example: the same switch with its default 0 and nothing turning it on: the squared ReLU is written but never runs (a feature left off); negative.

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--relu2", type=int, default=0, help="squared ReLU instead of GELU")
args, _ = parser.parse_known_args()


class FeedForward(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.up = nn.Linear(width, 4 * width, bias=False)
        self.down = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        h = self.up(x)
        if args.relu2:
            h = F.relu(h).square()
        else:
            h = F.gelu(h)
        return self.down(h)


print(FeedForward()(torch.randn(2, 768)).shape)
