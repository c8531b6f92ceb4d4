# example: blocks whose index is in a configured set get attn = None (the conditional is written the other way round) and their forward tests `if self.attn is not None`; same removal, fourth spelling.
from dataclasses import dataclass, field

import torch
from torch import nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    n_layer: int = 12
    n_embd: int = 768
    n_head: int = 6
    attention_free_layers: tuple = (7,)


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


class Layer(nn.Module):
    def __init__(self, cfg: ModelConfig, index: int):
        super().__init__()
        self.attn = None if index in cfg.attention_free_layers else SelfAttention(cfg.n_embd, cfg.n_head)
        self.ff = nn.Sequential(nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.GELU(), nn.Linear(4 * cfg.n_embd, cfg.n_embd))

    def forward(self, x):
        if self.attn is not None:
            x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))


layers = nn.ModuleList(Layer(ModelConfig(), i) for i in range(12))
