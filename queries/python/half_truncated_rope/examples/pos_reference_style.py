# example: dim//4 frequencies with base 1024 are concatenated with dim//4 zeros, cos/sin for 65536 positions are non-persistent fp32 buffers and rotation runs in fp32; half-truncated RoPE present.
import torch
from torch import nn


class Rotary(nn.Module):
    def __init__(self, dim: int, max_seq_len: int = 65536):
        super().__init__()
        freq = (1 / 1024) ** torch.linspace(0, 1, steps=dim // 4, dtype=torch.float32)
        freq = torch.cat([freq, freq.new_zeros(dim // 4)])
        pos = torch.arange(max_seq_len, dtype=torch.float32)
        theta = torch.outer(pos, freq)
        self.register_buffer("cos", theta.cos(), persistent=False)
        self.register_buffer("sin", theta.sin(), persistent=False)

    def forward(self, x_BTHD: torch.Tensor) -> torch.Tensor:
        T = x_BTHD.size(-3)
        cos, sin = self.cos[None, :T, None, :], self.sin[None, :T, None, :]
        x1, x2 = x_BTHD.float().chunk(2, dim=-1)
        y1 = x1 * cos + x2 * sin
        y2 = x1 * (-sin) + x2 * cos
        return torch.cat((y1, y2), dim=-1).type_as(x_BTHD)
