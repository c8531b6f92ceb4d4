# example: Keras-style layers make their weights with a helper (`self.add_weight("value_mix", (2,))` building and returning an `nn.Parameter`), and the two-weight mix is reshaped where it is written (`(mix[0] * v + mix[1] * ve).transpose(1, 2)`); present.
import torch
import torch.nn.functional as F
from torch import nn


class Layer(nn.Module):
    def add_weight(self, name, shape, fill=0.0):
        w = nn.Parameter(torch.full(shape, fill))
        self.register_parameter(name, w)
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
