# example: the residual scale is an enum choice read in a `match`, the block adding `self.gain * a if self.use_gain else a`, but the settings pick `Scale.INV_SQRT_2L`, so the attention output is scaled by 1/sqrt(2L); NOT present.
import enum
from dataclasses import dataclass

import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd=768, n_head=6):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=False)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=False)

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Scale(enum.Enum):
    NONE = "none"
    INV_SQRT_2L = "inv_sqrt_2l"


@dataclass(frozen=True)
class Settings:
    n_layer: int = 12
    scale: Scale = Scale.INV_SQRT_2L


def branch_gain(cfg: Settings) -> float:
    match cfg.scale:
        case Scale.NONE:
            return 1.0
        case Scale.INV_SQRT_2L:
            return 1.0 / (2 * cfg.n_layer) ** 0.5


class Block(nn.Module):
    def __init__(self, cfg: Settings, n_embd=768):
        super().__init__()
        self.use_gain = cfg.scale is not Scale.NONE
        self.gain = branch_gain(cfg)
        self.attn = CausalSelfAttention(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd, bias=False), nn.ReLU(),
                                 nn.Linear(4 * n_embd, n_embd, bias=False))

    def forward(self, x):
        dims = (x.size(-1),)
        a = self.attn(F.rms_norm(x, dims))
        x = x + (self.gain * a if self.use_gain else a)
        return x + self.mlp(F.rms_norm(x, dims))


blocks = nn.ModuleList(Block(Settings()) for _ in range(12))
