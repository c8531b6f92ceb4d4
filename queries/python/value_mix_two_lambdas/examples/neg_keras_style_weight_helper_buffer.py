# example: the same Keras-style helper, but it hands back a fixed buffer, not a parameter (`self.register_buffer(name, w)`), so the two weights of the reshaped mix never learn; NOT present.
import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    def add_weight(self, name, shape, fill=0.0):
        w = torch.full(shape, fill)
        self.register_buffer(name, w)
        return w


class Attention(Layer):
    def __init__(self, dim=768, heads=6):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.proj = nn.Linear(dim, dim, bias=False)
        self.value_mix = self.add_weight("value_mix", (2,), 0.5)

    def forward(self, x, ve):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, -1) for t in self.qkv(x).split(C, dim=-1))
        mix = self.value_mix
        v = (mix[0] * v + mix[1] * ve.view_as(v)).transpose(1, 2)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))
