# example: base-1024 frequencies from (1/1024) ** linspace span all dim//2 slots (every pair rotates) and new_zeros only builds an offset buffer; NOT truncated (near miss).
import torch
from torch import nn


class Rotary(nn.Module):
    def __init__(self, dim, max_seq_len=65536):
        super().__init__()
        freq = (1 / 1024) ** torch.linspace(0, 1, steps=dim // 2, dtype=torch.float32)
        self.offset = nn.Buffer(freq.new_zeros(1), persistent=False)
        theta = torch.outer(torch.arange(max_seq_len, dtype=torch.float32), freq)
        self.cos = nn.Buffer(theta.cos(), persistent=False)
        self.sin = nn.Buffer(theta.sin(), persistent=False)

    def forward(self, x):
        T = x.size(-3)
        cos, sin = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        x1, x2 = x.float().chunk(2, dim=-1)
        return torch.cat((x1 * cos + x2 * sin, x2 * cos - x1 * sin), dim=-1).type_as(x)
