# example: relu(h)^2 is computed only for a sparsity/energy statistic; the down projection receives plain relu(h); negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d=768):
        super().__init__()
        self.up = nn.Linear(d, 4 * d, bias=False)
        self.down = nn.Linear(4 * d, d, bias=False)
        self.stats = {}

    def forward(self, x):
        h = F.relu(self.up(x))
        energy = h.square()
        self.stats["act_energy"] = energy.mean().detach()
        return self.down(h)


mlp = MLP()
out = mlp(torch.randn(2, 8, 768))
