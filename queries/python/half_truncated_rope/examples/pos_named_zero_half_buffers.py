# example: the spinning quarter and the frozen quarter are held in local names, torch.cat([spin, frozen]) with frozen = torch.zeros(q), and the cos/sin are stored buffers read by the rotation; positive.
import torch
from torch import nn


class RotaryTables(nn.Module):
    def __init__(self, head_dim: int, max_len: int = 4096):
        super().__init__()
        q = head_dim // 4
        spin = (1.0 / 1024) ** torch.linspace(0.0, 1.0, steps=q)
        frozen = torch.zeros(q)
        rates = torch.cat([spin, frozen])
        phase = torch.outer(torch.arange(max_len, dtype=torch.float32), rates)
        self.register_buffer("cos_t", phase.cos(), persistent=False)
        self.register_buffer("sin_t", phase.sin(), persistent=False)

    def forward(self, x):
        n = x.size(-3)
        c = self.cos_t[None, :n, None, :]
        s = self.sin_t[None, :n, None, :]
        a, b = x.float().chunk(2, dim=-1)
        return torch.cat((a * c + b * s, b * c - a * s), -1).type_as(x)


if __name__ == "__main__":
    print(RotaryTables(128)(torch.randn(1, 16, 4, 128)).shape)
