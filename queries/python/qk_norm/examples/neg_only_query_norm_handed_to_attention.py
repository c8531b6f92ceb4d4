# example: The attention module is handed a norm for the queries only; the builder leaves the key norm at its default None, so keys reach the scores unnormalized; NOT present.
import torch
import torch.nn as nn
import torch.nn.functional as F


class ScaleFreeNorm(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.size = size

    def forward(self, t):
        return F.rms_norm(t, (self.size,))


class Attention(nn.Module):
    def __init__(self, width, heads, query_norm=None, key_norm=None):
        super().__init__()
        self.heads, self.per_head = heads, width // heads
        self.to_qkv = nn.Linear(width, 3 * width, bias=False)
        self.to_out = nn.Linear(width, width, bias=False)
        self.query_norm = query_norm
        self.key_norm = key_norm

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.to_qkv(x).view(b, t, 3, self.heads, self.per_head).unbind(2)
        if self.query_norm is not None:
            q = self.query_norm(q)
        if self.key_norm is not None:
            k = self.key_norm(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        return self.to_out(y.transpose(1, 2).reshape(b, t, -1))


def make_attention(width=768, heads=6):
    per_head = width // heads
    return Attention(width, heads, query_norm=ScaleFreeNorm(per_head))


layers = nn.ModuleList([make_attention() for _ in range(12)])
x = torch.randn(2, 64, 768)
for layer in layers:
    x = x + layer(F.rms_norm(x, (768,)))
x.sum().backward()
