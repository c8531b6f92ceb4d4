# example: a squared-ReLU penalty on the hidden units is reduced in place (`torch.mean(F.relu(u).pow(2))`) and added to an auxiliary loss; the down projection gets the GELU of u; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d=512):
        super().__init__()
        self.fc = nn.Linear(d, 4 * d)
        self.proj = nn.Linear(4 * d, d)
        self.aux = torch.zeros(())

    def forward(self, x):
        u = self.fc(x)
        self.aux = 1e-4 * torch.mean(F.relu(u).pow(2))
        return self.proj(F.gelu(u))


mlp = MLP()
y = mlp(torch.randn(4, 16, 512))
(y.square().mean() + mlp.aux).backward()
