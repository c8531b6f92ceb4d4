# example: GPT-2 scaled init (std 0.02/sqrt(2*n_layer)) on the output projection, but the forward adds the attention output unscaled; positive (init scaling is not the forward multiplier).
import math
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, d, n_heads, n_layers):
        super().__init__()
        self.norm1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, n_heads, bias=False, batch_first=True)
        nn.init.normal_(self.attn.out_proj.weight, std=0.02 / math.sqrt(2 * n_layers))
        self.norm2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, causal_mask):
        h = self.norm1(x)
        a, _ = self.attn(h, h, h, attn_mask=causal_mask, need_weights=False)
        x = x + a
        return x + self.ff(self.norm2(x))


layers = nn.ModuleList(Layer(768, 12, 12) for _ in range(12))
mask = torch.triu(torch.ones(16, 16, dtype=torch.bool), diagonal=1)
x = torch.randn(2, 16, 768)
for layer in layers:
    x = layer(x, mask)
