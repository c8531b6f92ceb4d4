# example: near miss - a subclass of the linear layer redraws its weight with std 0.5 / sqrt(fan_in) (uniform bound sqrt(3) * std) in reset_parameters, but nothing builds or names the subclass: the model keeps the default init; negative.
import torch
from torch import nn

INIT_SCALE = 0.5


class CastedLinear(nn.Linear):
    def __init__(self, in_features, out_features):
        super().__init__(in_features, out_features, bias=False)

    def forward(self, x):
        return nn.functional.linear(x, self.weight.type_as(x))


class NarrowInitLinear(CastedLinear):
    def reset_parameters(self) -> None:
        std = INIT_SCALE * (self.in_features ** -0.5)
        bound = (3 ** 0.5) * std
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)


class MLP(nn.Module):
    def __init__(self, dim=768):
        super().__init__()
        self.fc = CastedLinear(dim, 4 * dim)
        self.proj = CastedLinear(4 * dim, dim)

    def forward(self, x):
        return self.proj(torch.relu(self.fc(x)).square())
