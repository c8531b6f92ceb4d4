# example: the same unrolled blocks and named saves, but paired first in, first out (down0 before layer3, down1 before layer4, down2 before layer5): no mirrored pairing; negative.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, d=64):
        super().__init__()
        self.layer0 = nn.Linear(d, d)
        self.layer1 = nn.Linear(d, d)
        self.layer2 = nn.Linear(d, d)
        self.layer3 = nn.Linear(d, d)
        self.layer4 = nn.Linear(d, d)
        self.layer5 = nn.Linear(d, d)
        self.gains = nn.Parameter(torch.ones(3))

    def forward(self, x):
        x = self.layer0(x)
        down0 = x
        x = self.layer1(x)
        down1 = x
        x = self.layer2(x)
        down2 = x
        x = x + self.gains[0] * down0
        x = self.layer3(x)
        x = x + self.gains[1] * down1
        x = self.layer4(x)
        x = x + self.gains[2] * down2
        x = self.layer5(x)
        return x
