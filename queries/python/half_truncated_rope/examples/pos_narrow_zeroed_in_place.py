# example: the frequency vector is preallocated, its first quarter of the head dimension filled with base-1024 frequencies through `out=` on a narrow view, and the rest zeroed in place with `narrow(...).zero_()` before the cos/sin tables are built; positive.
import torch
from torch import nn


class Rotary(nn.Module):
    def __init__(self, head_dim: int, max_len: int = 65536):
        super().__init__()
        half, quarter = head_dim // 2, head_dim // 4
        freqs = torch.empty(half, dtype=torch.float32)
        torch.pow(1.0 / 1024, torch.linspace(0, 1, steps=quarter), out=freqs.narrow(0, 0, quarter))
        freqs.narrow(0, quarter, half - quarter).zero_()
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), freqs)
        self.register_buffer("cos_t", ang.cos(), persistent=False)
        self.register_buffer("sin_t", ang.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        c, s = self.cos_t[None, :T, None, :], self.sin_t[None, :T, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * c + b * s, b * c - a * s), dim=-1).type_as(x)
