# example: a rotary base class builds its cos/sin tables from a self.frequencies(dim) hook; a mixin of the class the script builds overrides the hook with a quarter of the head dimension of rates at base 1024 followed by as many zeros; present.
import torch
from torch import nn


class BaseRotary(nn.Module):
    base = 10000

    def __init__(self, dim):
        super().__init__()
        self.dim = dim
        self.register_buffer("inv_freq", self.frequencies(dim), persistent=False)

    def frequencies(self, dim):
        return (1 / self.base) ** (torch.arange(0, dim, 2) / dim)

    def forward(self, x):
        t = torch.arange(x.size(-3), device=x.device, dtype=torch.float32)
        angles = torch.outer(t, self.inv_freq)
        cos, sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), -1).type_as(x)


class HalfFrequencies:
    def frequencies(self, dim):
        spinning = (1 / 1024) ** torch.linspace(0, 1, steps=dim // 4)
        return torch.cat([spinning, spinning.new_zeros(dim // 4)])


class Rotary(HalfFrequencies, BaseRotary):
    pass


rotary = Rotary(128)
q = rotary(torch.randn(1, 64, 6, 128))
