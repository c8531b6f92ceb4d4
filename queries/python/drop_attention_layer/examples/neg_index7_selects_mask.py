# example: layer_idx != 7 only picks which block mask a layer uses; all 12 layers still run attention, so NOT present (near miss for a pattern matcher).
import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, heads, layer_idx, attn_cls, mlp_cls):
        super().__init__()
        self.layer_idx = layer_idx
        self.attn = attn_cls(dim, heads)
        self.mlp = mlp_cls(dim)

    def forward(self, x, long_mask, short_mask):
        mask = short_mask if self.layer_idx != 7 else long_mask
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)), mask)
        return x + self.mlp(F.rms_norm(x, (x.size(-1),)))


def build(attn_cls, mlp_cls):
    return nn.ModuleList(Block(768, 6, i, attn_cls, mlp_cls) for i in range(12))
