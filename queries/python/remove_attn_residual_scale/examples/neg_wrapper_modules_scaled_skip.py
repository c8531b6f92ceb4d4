# example: the same wrappers, but the skip wrapper multiplies what it wraps by a fixed 1 / sqrt(2 * depth) it is given; negative.
import torch
import torch.nn as nn
import torch.nn.functional as F

class Skip(nn.Module):
    def __init__(self, inner, gain):
        super().__init__()
        self.inner = inner
        self.gain = gain

    def forward(self, x):
        return x + self.inner(x) * self.gain

class Normed(nn.Module):
    def __init__(self, width, body):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(width))
        self.body = body

    def forward(self, x):
        return self.body(F.rms_norm(x, (x.size(-1),), self.scale))

class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)

    def forward(self, x):
        b, t, w = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
        return self.out(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, w))

class Stack(nn.Module):
    def __init__(self, width=768, heads=6, depth=12):
        super().__init__()
        self.layers = nn.ModuleList(Skip(Normed(width, SelfAttention(width, heads)), (2 * depth) ** -0.5) for _ in range(depth))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
