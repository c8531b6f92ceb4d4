# example: a pairing table precomputed in __init__ as self.mirror_of = [j for j in range(n_up)]: decoder block j adds encoder output j (first in, first out), not its mirror; negative.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, d=32, depth=6):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(depth)])
        self.n_down = depth // 2
        self.n_up = depth - self.n_down
        self.mirror_of = [j for j in range(self.n_up)]
        self.bridge = nn.Parameter(torch.ones(self.n_up))

    def forward(self, x):
        saved = [None] * self.n_down
        for i in range(self.n_down):
            x = self.blocks[i](x)
            saved[i] = x
        for j in range(self.n_up):
            x = x + self.bridge[j] * saved[self.mirror_of[j]]
            x = self.blocks[self.n_down + j](x)
        return x
