# example: the block takes its layer index as a keyword-only argument passed by keyword (layer_idx=i) and builds no attention for the layers in a configured frozenset; positive.
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class Config:
    depth: int = 12
    width: int = 768
    heads: int = 6
    attention_free: frozenset[int] = frozenset({7})


class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


class Block(nn.Module):
    def __init__(self, cfg: Config, *, layer_idx: int):
        super().__init__()
        self.attn = None if layer_idx in cfg.attention_free else SelfAttention(cfg.width, cfg.heads)
        self.ff = nn.Sequential(nn.Linear(cfg.width, 4 * cfg.width), nn.GELU(), nn.Linear(4 * cfg.width, cfg.width))

    def forward(self, x):
        if self.attn is not None:
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))


cfg = Config()
blocks = nn.ModuleList([Block(cfg, layer_idx=i) for i in range(cfg.depth)])
