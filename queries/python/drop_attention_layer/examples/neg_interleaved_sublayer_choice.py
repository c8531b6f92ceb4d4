# example: sublayers chosen per code by a conditional expression over a layout that alternates attention and MLP for every block ("a", "f") * depth; nothing is dropped; NOT present.
import torch
from torch import nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.to_qkv(x).chunk(3, dim=-1)
        q, k, v = (t.view(b, n, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.to_out(out.transpose(1, 2).reshape(b, n, d))


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, dim * mult), nn.GELU(), nn.Linear(dim * mult, dim))

    def forward(self, x):
        return self.net(x)


class AttentionLayers(nn.Module):
    def __init__(self, dim, depth, heads=8):
        super().__init__()
        self.layer_types = ("a", "f") * depth
        self.layers = nn.ModuleList([
            Attention(dim, heads) if t == "a" else FeedForward(dim)
            for t in self.layer_types
        ])

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(x)
        return x


model = AttentionLayers(dim=768, depth=12, heads=12)
