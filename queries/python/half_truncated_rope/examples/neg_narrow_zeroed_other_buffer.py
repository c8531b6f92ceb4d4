# example: full base-1024 rotary frequencies feed the cos/sin tables; a narrow view of a separate scratch buffer is zeroed in place, which never reaches the angles; negative.
import torch
from torch import nn


class Rotary(nn.Module):
    def __init__(self, head_dim: int, max_len: int = 65536):
        super().__init__()
        half = head_dim // 2
        freqs = (1.0 / 1024) ** torch.linspace(0, 1, steps=half)
        scratch = torch.ones(half)
        scratch.narrow(0, half // 2, half - half // 2).zero_()
        self.register_buffer("mask", scratch, persistent=False)
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), freqs)
        self.register_buffer("cos_t", ang.cos(), persistent=False)
        self.register_buffer("sin_t", ang.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        c, s = self.cos_t[None, :T, None, :], self.sin_t[None, :T, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * c + b * s, b * c - a * s), dim=-1).type_as(x)
