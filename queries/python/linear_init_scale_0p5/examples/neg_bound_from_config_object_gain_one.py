# example: the bound comes from a method of a module-level settings object built with gain=1.0 (INIT = InitRule(gain=1.0)), so the std is 1 / sqrt(fan_in), not 0.5 / sqrt(fan_in); the class default 0.5 is overridden; negative.
import math
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class InitRule:
    gain: float = 0.5

    def bound(self, fan_in: int) -> float:
        return math.sqrt(3.0) * self.gain / math.sqrt(fan_in)


INIT = InitRule(gain=1.0)


class RuleLinear(nn.Linear):
    def __init__(self, n_in, n_out):
        super().__init__(n_in, n_out, bias=False)

    def reset_parameters(self) -> None:
        b = INIT.bound(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-b, b)


class MLP(nn.Module):
    def __init__(self, width=768):
        super().__init__()
        self.up = RuleLinear(width, 4 * width)
        self.down = RuleLinear(4 * width, width)
