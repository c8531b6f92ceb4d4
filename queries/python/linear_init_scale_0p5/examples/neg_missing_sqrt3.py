# example: the uniform bound is 0.5 * in_features ** -0.5 with no sqrt(3) factor, so std is about 0.29/sqrt(fan_in), not 0.5/sqrt(fan_in); NOT present (near miss).
import torch
from torch import nn


class CastedLinear(nn.Linear):
    def __init__(self, fan_in, fan_out):
        super().__init__(fan_in, fan_out, bias=False)

    def reset_parameters(self):
        bound = 0.5 * self.in_features ** -0.5
        with torch.no_grad():
            self.weight.uniform_(-bound, +bound)


layers = nn.ModuleList([CastedLinear(768, 768) for _ in range(4)])
