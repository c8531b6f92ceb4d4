# example: a GPT-NeoX-style rotary splits each head into [rotary, pass] with split sizes, rotates the first half with a rotate-half helper, and concatenates the untouched second half; half the dims never rotate, so present.
import torch
import torch.nn as nn


def rotate_half(t):
    lo, hi = t.chunk(2, dim=-1)
    return torch.cat((-hi, lo), dim=-1)


class NeoXRotary(nn.Module):
    def __init__(self, head_dim, seq_len=4096, theta=1024.0):
        super().__init__()
        self.head_dim = head_dim
        self.span = head_dim // 2
        inv = theta ** -(torch.arange(0, self.span, 2).float() / self.span)
        ang = torch.outer(torch.arange(seq_len).float(), inv)
        ang = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos_t", ang.cos(), persistent=False)
        self.register_buffer("sin_t", ang.sin(), persistent=False)

    def forward(self, q):
        n = q.shape[-2]
        spun, kept = q.split([self.span, self.head_dim - self.span], dim=-1)
        spun = spun * self.cos_t[:n] + rotate_half(spun) * self.sin_t[:n]
        return torch.cat([spun, kept], dim=-1)
