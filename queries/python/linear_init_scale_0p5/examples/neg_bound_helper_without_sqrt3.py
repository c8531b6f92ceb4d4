# example: the same helper without the sqrt(3): U(-b, b) with b = 0.5 / sqrt(fan_in) has std 0.5 / sqrt(3 * fan_in); NOT present.
import math

import torch
from torch import nn


def uniform_bound(fan_in: int) -> float:
    std = 0.5 / math.sqrt(fan_in)
    return std


class ScaledLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def reset_parameters(self) -> None:
        b = uniform_bound(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-b, b)


class MLP(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.up = ScaledLinear(width, 4 * width)
        self.down = ScaledLinear(4 * width, width)
