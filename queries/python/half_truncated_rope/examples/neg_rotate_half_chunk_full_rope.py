# example: full RoPE in the Llama/HF spelling: rotate_half splits the head in two with chunk and concatenates (-x2, x1), and every dim is multiplied by cos/sin; one half is concatenated unchanged inside rotate_half but nothing passes through unrotated, so NOT present.
import torch
import torch.nn as nn


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Rope(nn.Module):
    def __init__(self, dim, max_len=2048, base=10000.0):
        super().__init__()
        inv = 1.0 / base ** (torch.arange(0, dim, 2).float() / dim)
        ang = torch.outer(torch.arange(max_len).float(), inv)
        emb = torch.cat((ang, ang), dim=-1)
        self.register_buffer("cos", emb.cos(), persistent=False)
        self.register_buffer("sin", emb.sin(), persistent=False)

    def forward(self, x):
        t = x.size(-2)
        return x * self.cos[:t] + rotate_half(x) * self.sin[:t]
