# example: encoder outputs kept in a list; each decoder step reads its mirror through a local index (partner = n - 1 - j); positive.
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, d=32, depth=6):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(d, d) for _ in range(depth)])
        self.n_down = depth // 2
        self.n_up = depth - self.n_down
        self.bridge = nn.Parameter(torch.ones(self.n_up))

    def forward(self, x):
        down_acts = []
        for i in range(self.n_down):
            x = self.blocks[i](x)
            down_acts.append(x)
        for j in range(self.n_up):
            partner = self.n_down - 1 - j
            x = x + self.bridge[j] * down_acts[partner]
            x = self.blocks[self.n_down + j](x)
        return x
