# example: every block builds and applies attention before its MLP; no layer is attention-free, so NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, heads, attn_cls, mlp_cls):
        super().__init__()
        self.attn = attn_cls(dim, heads)
        self.mlp = mlp_cls(dim)
        self.lambdas = nn.Parameter(torch.tensor([1.0, 0.0]))

    def forward(self, x, ve, x0, block_mask):
        x = self.lambdas[0] * x + self.lambdas[1] * x0
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), ve, block_mask)
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


def make_blocks(attn_cls, mlp_cls, n=12):
    return nn.ModuleList([Block(768, 6, attn_cls, mlp_cls) for _ in range(n)])
