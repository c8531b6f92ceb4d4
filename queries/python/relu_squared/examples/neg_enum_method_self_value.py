# example: the same Enum method, but the only member the file selects is the GELU one (no square); negative.
import enum
import types
import torch.nn as nn
import torch.nn.functional as F


class Flavor(enum.Enum):
    SMOOTH = ("gelu", 1)
    SQUARED = ("relu", 2)

    def apply(self, h):
        gate, power = self.value
        h = F.gelu(h) if gate == "gelu" else F.relu(h)
        return h.square() if power == 2 else h


ARCH = types.MappingProxyType({"mlp": Flavor.SMOOTH})


class MLP(nn.Module):
    def __init__(self, dim, flavor=ARCH["mlp"]):
        super().__init__()
        self.flavor = flavor
        self.fc = nn.Linear(dim, 4 * dim, bias=False)
        self.proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return self.proj(self.flavor.apply(self.fc(x)))
