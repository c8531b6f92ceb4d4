# example: Partial rotary via tensor_split at head_dim // 2 with frequencies from a config; rotate first half only; positive.
from dataclasses import dataclass

import torch


@dataclass
class RopeCfg:
    head_dim: int = 128
    base: float = 1024.0
    max_len: int = 65536


def build_tables(cfg: RopeCfg):
    rot = cfg.head_dim // 2
    inv = cfg.base ** (-torch.arange(0, rot, 2, dtype=torch.float32) / rot)
    ang = torch.arange(cfg.max_len, dtype=torch.float32)[:, None] * inv
    return ang.cos(), ang.sin()


def rope_half(x, cos, sin, cfg: RopeCfg):
    # x: (B, T, H, D). rotate dims [0, D/2), pass dims [D/2, D) through untouched
    x_rot, x_pass = torch.tensor_split(x, (cfg.head_dim // 2,), dim=-1)
    T = x.size(1)
    c, s = cos[:T][None, :, None], sin[:T][None, :, None]
    a, b = x_rot.float().chunk(2, dim=-1)
    rotated = torch.cat((a * c + b * s, b * c - a * s), dim=-1).type_as(x)
    return torch.cat((rotated, x_pass), dim=-1)
