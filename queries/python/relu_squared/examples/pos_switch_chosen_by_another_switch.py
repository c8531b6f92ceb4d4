# example: the activation name is set under another switch that is on, and the MLP squares the ReLU when that name is "relu2"; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F

EXPERIMENTAL = True
if EXPERIMENTAL:
    ACT = "relu2"
else:
    ACT = "gelu"


class MLP(nn.Module):
    def __init__(self, d=512):
        super().__init__()
        self.up = nn.Linear(d, 4 * d)
        self.down = nn.Linear(4 * d, d)

    def forward(self, x):
        h = self.up(x)
        if ACT == "relu2":
            h = F.relu(h).square()
        else:
            h = F.gelu(h)
        return self.down(h)


net = MLP()
net(torch.randn(2, 512)).sum().backward()
