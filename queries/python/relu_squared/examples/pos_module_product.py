# example: a ReLUSquared nn.Module computes r = relu(x); r * r, and is placed inside nn.Sequential for the MLP; positive (product across statements, module layout).
import torch
import torch.nn as nn


class ReLUSquared(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = nn.functional.relu(x)
        return r * r


def make_mlp(width: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(width, 4 * width, bias=False),
        ReLUSquared(),
        nn.Linear(4 * width, width, bias=False),
    )


class Block(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.ln = nn.LayerNorm(width)
        self.ffn = make_mlp(width)

    def forward(self, x):
        return x + self.ffn(self.ln(x))
