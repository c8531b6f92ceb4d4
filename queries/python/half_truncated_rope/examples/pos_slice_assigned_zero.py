# example: inverse frequencies at base 1024 are computed for every pair and the upper half is then set to zero by slice assignment before cos/sin tables are built; a fourth spelling of the half truncation.
import torch
from torch import nn


class TruncRotary(nn.Module):
    def __init__(self, head_dim: int, max_len: int = 65536):
        super().__init__()
        pairs = head_dim // 2
        inv = 1024.0 ** -(torch.arange(pairs, dtype=torch.float32) / (pairs // 2))
        inv[pairs // 2:] = 0.0
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), inv)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        c, s = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * c + b * s, b * c - a * s), dim=-1).type_as(x)
