# example: model size picked from a preset table by name ("d12": 12 layers, 12 heads, width 768); the dataclass default of 6 heads is overridden by the preset; negative (head dim 64).
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class GPTConfig:
    n_layer: int = 12
    n_head: int = 6
    n_embd: int = 768


PRESETS = {
    "d12": dict(n_layer=12, n_head=12, n_embd=768),
    "d24": dict(n_layer=24, n_head=16, n_embd=1024),
}
MODEL_NAME = "d12"


class CausalSelfAttention(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.head_dim = config.n_embd // config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        return nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)


config = GPTConfig(**PRESETS[MODEL_NAME])
attn = CausalSelfAttention(config)
