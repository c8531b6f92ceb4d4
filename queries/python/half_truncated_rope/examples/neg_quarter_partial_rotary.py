# example: a partial rotary rotates only a quarter of each head's dims (rotary_fraction 0.25) and passes the rest through; partial rotary, but not the one-half truncation, so NOT this id.
import torch
from torch import nn


class QuarterRotary(nn.Module):
    def __init__(self, head_dim: int, rotary_fraction: float = 0.25, max_len: int = 65536, base: float = 10000.0):
        super().__init__()
        self.rot_dim = int(head_dim * rotary_fraction)
        inv = 1.0 / base ** (torch.arange(0, self.rot_dim, 2, dtype=torch.float32) / self.rot_dim)
        ang = torch.outer(torch.arange(max_len, dtype=torch.float32), inv)
        self.register_buffer("cos", ang.cos(), persistent=False)
        self.register_buffer("sin", ang.sin(), persistent=False)

    def forward(self, x):
        T = x.size(1)
        rot, keep = x[..., : self.rot_dim].float(), x[..., self.rot_dim:]
        a, b = rot.chunk(2, dim=-1)
        c, s = self.cos[:T][None, :, None], self.sin[:T][None, :, None]
        rot = torch.cat([a * c + b * s, b * c - a * s], dim=-1)
        return torch.cat([rot.type_as(x), keep], dim=-1)
