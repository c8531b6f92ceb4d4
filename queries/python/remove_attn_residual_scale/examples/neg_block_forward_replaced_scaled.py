# example: near miss - the block's own forward adds the attention branch unscaled, but the module installs `Block.forward = _scaled_forward`, which multiplies it by a fixed 1/sqrt(2L) again; the replacement is what runs; negative.
import math
import torch
from torch import nn
import torch.nn.functional as F

N_LAYER = 12


class Attention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True))


class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.attn = Attention(dim)
        self.ff = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))


def _scaled_forward(self, x):
    x = x + (1 / math.sqrt(2 * N_LAYER)) * self.attn(F.rms_norm(x, (x.size(-1),)))
    return x + self.ff(F.rms_norm(x, (x.size(-1),)))


Block.forward = _scaled_forward

blocks = nn.Sequential(*[Block(768) for _ in range(N_LAYER)])
