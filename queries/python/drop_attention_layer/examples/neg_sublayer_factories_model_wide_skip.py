# example: each block registers its sublayers from a table of factories in a loop (`self.add_module(name, make(cfg))`) and fetches attention with `self._modules.get("attn")`, but the names it skips are one model-wide list, not chosen by the layer index (every block or none loses attention); negative.
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, C // self.heads).unbind(2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class FeedForward(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.up, self.down = nn.Linear(d, 4 * d, bias=False), nn.Linear(4 * d, d, bias=False)

    def forward(self, x):
        return self.down(F.relu(self.up(x)).square())


@dataclass
class Config:
    d: int = 768
    heads: int = 6
    layers: int = 12
    omit: tuple = ()


class Block(nn.Module):
    PARTS = {
        "attn": lambda cfg: Attention(cfg.d, cfg.heads),
        "ffn": lambda cfg: FeedForward(cfg.d),
    }

    def __init__(self, cfg, index):
        super().__init__()
        self.index = index
        omitted = cfg.omit
        for name, make in self.PARTS.items():
            if name not in omitted:
                self.add_module(name, make(cfg))

    def forward(self, x):
        attn = self._modules.get("attn")
        if attn is not None:
            x = x + attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ffn(F.rms_norm(x, (x.size(-1),)))


cfg = Config()
blocks = nn.ModuleList([Block(cfg, i) for i in range(cfg.layers)])
