# example: a Linear subclass resets its weight with U(-b, b), b computed by a module helper from the fan-in it is given: sqrt(3) * 0.5 / sqrt(fan_in); present.
import math

import torch
from torch import nn


def uniform_bound(fan_in: int) -> float:
    std = 0.5 / math.sqrt(fan_in)
    return math.sqrt(3.0) * std


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
