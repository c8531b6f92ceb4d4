# example: feed-forward written with torch.relu(h) ** 2 on differently named layers; positive (operator spelling, other names).
import torch
from torch import nn


class FeedForward(nn.Module):
    def __init__(self, dim: int, hidden_mult: int = 4):
        super().__init__()
        self.up = nn.Linear(dim, hidden_mult * dim, bias=False)
        self.down = nn.Linear(hidden_mult * dim, dim, bias=False)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.down(torch.relu(self.up(h)) ** 2)


class Layer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.RMSNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, h):
        return h + self.ff(self.norm(h))


layers = nn.Sequential(*[Layer(768) for _ in range(12)])
