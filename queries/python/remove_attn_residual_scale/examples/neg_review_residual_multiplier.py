# example: Granite-style decoder layer: hidden_states = residual + hidden_states * self.residual_multiplier, with residual_multiplier = 0.22 from the config; negative (constant scale on the attention branch).
from dataclasses import dataclass

import torch.nn as nn
import torch.nn.functional as F


@dataclass
class LayerConfig:
    hidden_size: int = 768
    num_heads: int = 6
    residual_multiplier: float = 0.22


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.h = cfg.num_heads
        self.qkv = nn.Linear(cfg.hidden_size, 3 * cfg.hidden_size, bias=False)
        self.o_proj = nn.Linear(cfg.hidden_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = (z.view(b, t, self.h, -1).transpose(1, 2) for z in self.qkv(x).split(c, dim=-1))
        return self.o_proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, c))


class DecoderLayer(nn.Module):
    def __init__(self, cfg: LayerConfig):
        super().__init__()
        self.residual_multiplier = cfg.residual_multiplier
        self.input_layernorm = nn.RMSNorm(cfg.hidden_size)
        self.self_attn = Attention(cfg)

    def forward(self, hidden_states):
        residual = hidden_states
        hidden_states = self.self_attn(self.input_layernorm(hidden_states))
        hidden_states = residual + hidden_states * self.residual_multiplier
        return hidden_states


layer = DecoderLayer(LayerConfig())
