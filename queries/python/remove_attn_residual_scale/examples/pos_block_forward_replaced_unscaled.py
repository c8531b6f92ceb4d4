# example: the block's own forward still scales the attention branch by a fixed 1/sqrt(2L), but the module later installs `Block.forward = _plain_forward`, which adds the branch as it is; only the replacement runs; positive.
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


def _plain_forward(self, x):
    x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
    return x + self.ff(F.rms_norm(x, (x.size(-1),)))


Block.forward = _plain_forward

blocks = nn.Sequential(*[Block(768) for _ in range(N_LAYER)])
