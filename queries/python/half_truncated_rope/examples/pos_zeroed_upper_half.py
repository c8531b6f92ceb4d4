# example: a standard inverse-frequency vector is built and its upper half is set to zero with torch.where on the slot index; a third spelling of half-truncated rotary frequencies.
import torch
import torch.nn as nn


class HalfRotary(nn.Module):
    def __init__(self, head_dim: int, max_len: int = 32768, base: float = 1024.0):
        super().__init__()
        n = head_dim // 2
        slot = torch.arange(n, dtype=torch.float32)
        inv = base ** (-slot / (n // 2))
        inv = torch.where(slot < n // 2, inv, torch.zeros_like(inv))
        ang = torch.arange(max_len, dtype=torch.float32)[:, None] * inv[None]
        self.cos = nn.Buffer(ang.cos(), persistent=False)
        self.sin = nn.Buffer(ang.sin(), persistent=False)

    def forward(self, x):
        c = self.cos[: x.size(1)][None, :, None]
        s = self.sin[: x.size(1)][None, :, None]
        u, w = x.float().chunk(2, dim=-1)
        return torch.cat([u * c + w * s, w * c - u * s], dim=-1).type_as(x)
