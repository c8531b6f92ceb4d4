# example: MLP whose hidden tensor is rectified with F.relu and then squared in place with mul_; positive.
import torch
import torch.nn as nn
import torch.nn.functional as F


class SquaredReluMLP(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.expand = nn.Linear(width, 4 * width, bias=False)
        self.contract = nn.Linear(4 * width, width, bias=False)

    def forward(self, x):
        hidden = F.relu(self.expand(x))
        hidden.mul_(hidden)
        return self.contract(hidden)
