# example: Gemma-style interleaving where every 3rd layer attends globally (full causal, window (-1, -1)) and the others use a 512-token local window via flash_attn window_size; one span is unwindowed, so not two sliding windows; negative.
from dataclasses import dataclass

import torch
from torch import nn
from flash_attn import flash_attn_func


@dataclass
class Cfg:
    depth: int = 12
    dim: int = 768
    heads: int = 6
    local_window: int = 512
    global_every: int = 3


class Layer(nn.Module):
    def __init__(self, cfg: Cfg, idx: int):
        super().__init__()
        self.heads = cfg.heads
        is_global = (idx + 1) % cfg.global_every == 0
        self.window = (-1, -1) if is_global else (cfg.local_window - 1, 0)
        self.qkv = nn.Linear(cfg.dim, 3 * cfg.dim, bias=False)
        self.out = nn.Linear(cfg.dim, cfg.dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).unbind(2)
        y = flash_attn_func(q, k, v, causal=True, window_size=self.window)
        return x + self.out(y.reshape(b, t, d))


def build(cfg=Cfg()):
    return nn.ModuleList(Layer(cfg, i) for i in range(cfg.depth))
