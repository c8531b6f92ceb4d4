# example: the same module dictionary, but the "attn" entry hangs on a model-wide switch that is the same for every layer; negative.
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Spec:
    width: int = 256
    heads: int = 4
    depth: int = 12
    attention: bool = True


class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.proj = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).transpose(1, 3).unbind(dim=2)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class Layer(nn.Module):
    def __init__(self, spec, index):
        super().__init__()
        self.parts = nn.ModuleDict()
        if spec.attention:
            self.parts["attn"] = SelfAttention(spec.width, spec.heads)
        self.parts["mlp"] = nn.Sequential(nn.Linear(spec.width, 4 * spec.width), nn.GELU(), nn.Linear(4 * spec.width, spec.width))

    def forward(self, x):
        if "attn" in self.parts:
            x = x + self.parts["attn"](F.rms_norm(x, (x.size(-1),)))
        return x + self.parts["mlp"](F.rms_norm(x, (x.size(-1),)))


spec = Spec()
layers = nn.ModuleList([Layer(spec, i) for i in range(spec.depth)])
h = torch.randn(2, 16, spec.width)
for layer in layers:
    h = layer(h)
print(h.shape)
