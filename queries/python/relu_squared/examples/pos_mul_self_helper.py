# example: Functional MLP written with F.linear and torch.mul of the rectified tensor with itself; helper function used by the block; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


def squared_relu(z: torch.Tensor) -> torch.Tensor:
    pos = F.relu(z)
    return torch.mul(pos, pos)


class Block(nn.Module):
    def __init__(self, dim=640, hidden=2560):
        super().__init__()
        self.up = nn.Parameter(torch.empty(hidden, dim).uniform_(-dim ** -0.5, dim ** -0.5))
        self.down = nn.Parameter(torch.zeros(dim, hidden))

    def forward(self, x):
        z = F.linear(F.rms_norm(x, (x.size(-1),)), self.up)
        return x + F.linear(squared_relu(z), self.down)


stack = nn.ModuleList(Block() for _ in range(6))
x = torch.randn(1, 32, 640)
for blk in stack:
    x = blk(x)
