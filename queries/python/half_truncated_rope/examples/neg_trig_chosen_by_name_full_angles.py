# example: the cos / sin tables are made by a function looked up by name on torch in a loop over a class field, but from the full inverse frequencies; the zero-padded vector only feeds a per-pair mask that never reaches the angles; negative.
import torch
import torch.nn as nn


class MaskedRotary(nn.Module):
    TRIG = ("cos", "sin")

    def __init__(self, head_dim: int, max_len: int = 32768, base: float = 1024.0):
        super().__init__()
        n = head_dim // 4
        spin = (1.0 / base) ** torch.linspace(0.0, 1.0, steps=2 * n)
        keep = torch.cat([torch.ones(n), torch.zeros(n)])
        self.register_buffer("pair_mask", keep, persistent=False)
        angles = torch.outer(torch.arange(max_len, dtype=torch.float32), spin)
        for fn in self.TRIG:
            self.register_buffer(f"{fn}_cache", getattr(torch, fn)(angles), persistent=False)

    def forward(self, x):
        t = x.size(1)
        c = self.cos_cache[None, :t, None, :]
        s = self.sin_cache[None, :t, None, :]
        u, w = x.float().chunk(2, dim=-1)
        return torch.cat([u * c + w * s, w * c - u * s], dim=-1).type_as(x)
