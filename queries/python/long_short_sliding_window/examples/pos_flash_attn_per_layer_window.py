# example: flash-attn per-layer window sizes from a config pattern: "L" layers use the full sliding window, "S" layers half of it; both are finite windows; positive.
from dataclasses import dataclass

import torch
from torch import nn
from flash_attn import flash_attn_func


@dataclass
class Config:
    n_layer: int = 12
    n_embd: int = 768
    n_head: int = 6
    window: int = 1792
    layer_pattern: str = "LSSSLSSLSSSL"


class Attention(nn.Module):
    def __init__(self, cfg: Config, span: int):
        super().__init__()
        self.n_head = cfg.n_head
        self.window_size = (span - 1, 0)
        self.qkv = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=False)
        self.proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.n_head, -1).unbind(2)
        y = flash_attn_func(q, k, v, causal=True, window_size=self.window_size)
        return self.proj(y.reshape(B, T, C))


def build_attention_layers(cfg: Config) -> nn.ModuleList:
    spans = {"L": cfg.window, "S": cfg.window // 2}
    return nn.ModuleList(Attention(cfg, spans[kind]) for kind in cfg.layer_pattern)
