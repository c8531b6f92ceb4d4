# example: nn.ReLU module followed by a generic Power module inside an nn.Sequential MLP (no dedicated ReLU^2 class); positive.
import torch
import torch.nn as nn


class Power(nn.Module):
    def __init__(self, exponent: float):
        super().__init__()
        self.exponent = exponent

    def forward(self, x):
        return torch.pow(x, self.exponent)


class Block(nn.Module):
    def __init__(self, width=768, expansion=4):
        super().__init__()
        self.norm = nn.RMSNorm(width)
        self.ffn = nn.Sequential(
            nn.Linear(width, expansion * width, bias=False),
            nn.ReLU(),
            Power(2),
            nn.Linear(expansion * width, width, bias=False),
        )

    def forward(self, x):
        return x + self.ffn(self.norm(x))


blocks = nn.Sequential(*[Block() for _ in range(4)])
y = blocks(torch.randn(2, 16, 768))
