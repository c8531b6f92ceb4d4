# example: near miss - the module installs a new `Block.forward`, but the new one keeps the original (`_original = Block.forward`) and calls it, so the fixed 1/sqrt(2L) scale on the attention branch still runs; negative.
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
        self.gain = 1 / math.sqrt(2 * N_LAYER)

    def forward(self, x):
        x = x + self.gain * self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))


_original = Block.forward


def _checked_forward(self, x):
    assert x.dim() == 3
    return _original(self, x)


Block.forward = _checked_forward

blocks = nn.Sequential(*[Block(768) for _ in range(N_LAYER)])
