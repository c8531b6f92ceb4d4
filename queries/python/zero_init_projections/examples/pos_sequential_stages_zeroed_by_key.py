# example: the MLP is an nn.Sequential over an OrderedDict of named stages (an activation module built from a lambda); the builder zeroes the stage keyed "out" through the local name, and the attention zeroes its own output layer; positive.
from collections import OrderedDict
import torch
import torch.nn as nn
import torch.nn.functional as F


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, t):
        return self.fn(t)


squared_relu = Fn(lambda t: torch.clamp_min(t, 0).pow(2))


class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.out.weight.detach().zero_()

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.out(y.transpose(1, 2).reshape(b, t, c))


def feed_forward(width):
    net = nn.Sequential(OrderedDict([
        ("inp", nn.Linear(width, 4 * width, bias=False)),
        ("act", squared_relu),
        ("out", nn.Linear(4 * width, width, bias=False)),
    ]))
    nn.init.constant_(net.out.weight, 0.0)
    return net


class Layer(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = SelfAttention(width, heads)
        self.ff = feed_forward(width)

    def forward(self, x):
        x = x + self.attn(F.rms_norm(x, (x.size(-1),)))
        return x + self.ff(F.rms_norm(x, (x.size(-1),)))
