# example: the same zero-padded frequency hook is mixed into a class that only logs a spectrum and computes no angles; the rotary module the script builds keeps its full frequencies; NOT present.
import torch
from torch import nn


class BaseRotary(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.register_buffer("inv_freq", (1 / 10000) ** (torch.arange(0, dim, 2) / dim), persistent=False)

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


class BaseSpectrum:
    def summary(self, dim):
        rates = self.frequencies(dim)
        return float(rates.mean())


class Spectrum(HalfFrequencies, BaseSpectrum):
    pass


rotary = BaseRotary(128)
q = rotary(torch.randn(1, 64, 6, 128))
print(Spectrum().summary(128))
