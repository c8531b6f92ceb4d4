# example: near miss - the attention output is multiplied by (2 * n_layer) ** -0.5 written after the call, through a config attribute; negative (fixed scale kept).
import torch.nn as nn
import torch.nn.functional as F
from dataclasses import dataclass


@dataclass
class Cfg:
    n_layer: int = 12
    d: int = 768


class Attn(nn.Module):
    def __init__(self, d=768, h=12):
        super().__init__()
        self.h = h
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.proj = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.h, -1).permute(2, 0, 3, 1, 4)
        return self.proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.attn = Attn(cfg.d)

    def forward(self, x):
        return x + self.attn(F.rms_norm(x, (x.size(-1),))) * (2 * self.cfg.n_layer) ** -0.5


block = Block(Cfg())
